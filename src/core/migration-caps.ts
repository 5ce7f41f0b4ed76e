/**
 * Migration concurrency caps, with KubeVirt's defaults as the model. One home for both users: the fleet
 * twin enforces them as a property of the simulated cluster, and the coordinated decision step
 * (`src/agents/coordination.ts`, whose `CoordinationConfigSchema` extends this schema) plans within them.
 */
import { z } from 'zod';

export const MigrationCapsSchema = z
  .object({
    /** KubeVirt `parallelOutboundMigrationsPerNode`: migrations leaving one node at once (in flight + accepted). */
    parallelOutboundMigrationsPerNode: z.number().int().min(0).default(2).describe('Migrations leaving one node at once (KubeVirt parallelOutboundMigrationsPerNode).'),
    /** KubeVirt `parallelMigrationsPerCluster`: migrations in the whole cluster at once (in flight + accepted). */
    parallelMigrationsPerCluster: z.number().int().min(0).default(5).describe('Migrations in the whole cluster at once (KubeVirt parallelMigrationsPerCluster).'),
  })
  .strict();
export type MigrationCaps = z.infer<typeof MigrationCapsSchema>;
