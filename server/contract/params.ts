import { z } from "zod";

/** Path of `/api/metrics/{name}/…`: a name that can be a metric's (unknown ones are a 404). */
export const MetricPath = z.object({
  name: z
    .string()
    .regex(/^[a-z][a-z0-9_.]{0,63}$/, "is not a metric name (it must match [a-z][a-z0-9_.]{0,63})"),
});
export type MetricPath = z.infer<typeof MetricPath>;

/** Path of `/api/admin/users/{id}` and `/api/admin/api-keys/{id}` (unknown ids are a 404). */
export const AdminTargetPath = z.object({
  id: z.string().min(1).max(128, "is not an id (at most 128 characters)"),
});
export type AdminTargetPath = z.infer<typeof AdminTargetPath>;
