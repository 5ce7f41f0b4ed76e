#!/usr/bin/env bash
# Regenerates the example data in this folder from the traces the package ships (data/traces) and writes the
# illustrative GPS tracks. Run from anywhere: bash examples/scenarios/data/derive.sh [OUT_DIR] (default: this folder).
# Deterministic: the same bytes every run (gzip -n drops the timestamp); test/examples checks the shipped files are
# exactly what it writes. What each file is, and its licence: ../README.md, "Data".
set -eu  # no pipefail: `zcat | head` ends zcat with SIGPIPE by design
here="$(cd "$(dirname "$0")" && pwd)"
traces="$here/../../../data/traces"
mkdir -p "${1:-$here}"
cd "${1:-$here}"
mkdir -p paper google2011 google2019 generic gps

# The paper's machine 1 (GPL-3.0): its first day, 4,952 rows of `cpu% mem%` at 17.45 s, gzipped like the original.
zcat "$traces/follow-me-borg/cpu_mem_1.txt.gz" | head -n 4952 | gzip -9 -n > paper/cpu_mem_1-day1.txt.gz

# Google 2011 job 986962601 (CC-BY 4.0): its first two day files, unchanged.
cp "$traces/google2011-hipro-job-986962601/vm_986962601_1" "$traces/google2011-hipro-job-986962601/vm_986962601_2" google2011/

# Google 2019 cell aggregate (CC-BY 4.0): the header and its first two days (576 rows of 300 s), unchanged.
zcat "$traces/google2019-cell-aggregate/instance_usage_grouped_300_seconds_month.csv.gz" | head -n 577 > google2019/cell-aggregate-2days.csv

# A generic multi-machine CSV in the raw Google traces' units (timestamps in microseconds, CPU in percent, memory as a
# fraction), one row per machine per 300 s over one day: machine `cell-2019` is the 2019 aggregate, machine
# `job-2011` the 2011 job's day 1 (same numbers, other units and layout).
# (%.0f, not %d, below: mawk caps %d at 2^31 - 1, and the timestamps reach 8.6e10.)
zcat "$traces/google2019-cell-aggregate/instance_usage_grouped_300_seconds_month.csv.gz" | sed -n '2,289p' > /tmp/remora-cell.$$
paste -d' ' /tmp/remora-cell.$$ "$traces/google2011-hipro-job-986962601/vm_986962601_1" | awk -F'[ ,]' '
  BEGIN { print "timestamp_us,machine_id,cpu_pct,mem_frac" }
  { t = (NR - 1) * 300000000
    printf "%.0f,cell-2019,%.3f,%.4f\n", t, $1 * 100, $2
    printf "%.0f,job-2011,%.3f,%.4f\n", t, $5, $6 / 100 }' > generic/machines.csv
rm -f /tmp/remora-cell.$$
# The same rows without the header, columns reordered (machine, cpu, mem, time): columns go by 0-based index.
tail -n +2 generic/machines.csv | awk -F, -v OFS=, '{ print $2, $3, $4, $1 }' > generic/machines-noheader.csv

# Illustrative GPS tracks (not recorded: no public GPS trace of CA-111 exists, see ../README.md): two cars on a
# straight-line approximation of CA-111 through Brawley, Calipatria and Niland, one fix per 10 s, ISO-8601 times.
# car-1 drives north at 90 km/h, car-2 south at 60 km/h. Linear interpolation in degrees between the three towns.
awk 'function pt(f,   a) { # position at fraction f of the way Brawley -> Calipatria -> Niland
       if (f <= 0.5637) { a = f / 0.5637; la = 32.9787 + a * (33.1256 - 32.9787); lo = -115.5303 + a * (-115.5142 + 115.5303) }
       else { a = (f - 0.5637) / 0.4363; la = 33.1256 + a * (33.2400 - 33.1256); lo = -115.5142 + a * (-115.5128 + 115.5142) } }
     function iso(s,   h, m) { h = int(s / 3600); m = int((s % 3600) / 60); return sprintf("2019-05-01T%02d:%02d:%02dZ", 8 + h, m, s % 60) }
     BEGIN { L = 29200; print "track_id,time,lat,lon"
       for (s = 0; s * 25 <= L; s += 10) { pt(s * 25 / L); printf "car-1,%s,%.6f,%.6f\n", iso(s), la, lo }
       for (s = 0; s * 16.6667 <= L; s += 10) { pt(1 - s * 16.6667 / L); printf "car-2,%s,%.6f,%.6f\n", iso(600 + s), la, lo } }' > gps/tracks.csv
