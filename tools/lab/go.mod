// Lab images (src/lab): the echo/counter service, the pause container, and a writer of
// docker-archive tars that `ctr images import` reads. Standard library only, so it builds with no module proxy.
module remora.local/tools/lab

go 1.25.0
