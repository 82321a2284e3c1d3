import { z } from 'zod';

/** The fields OCSF requires of every event, and the product metadata a consumer routes on. */
const baseEvent = {
  activity_id: z.number().int(),
  category_uid: z.number().int(),
  class_uid: z.number().int(),
  type_uid: z.number().int(),
  severity_id: z.number().int().min(0).max(99),
  time: z.number().int().positive(),
  metadata: z.object({
    version: z.string().regex(/^\d+\.\d+\.\d+/),
    product: z.object({
      name: z.string().min(1),
      vendor_name: z.string().min(1),
      version: z.string().optional(),
    }),
  }),
  observables: z
    .array(z.object({ name: z.string().min(1), type_id: z.number().int(), value: z.string() }))
    .optional(),
};

const typeUidMatches = (e: { class_uid: number; activity_id: number; type_uid: number }) =>
  e.type_uid === e.class_uid * 100 + e.activity_id;

/** The required subset of an OCSF 1.x Detection Finding (class 2004). */
export const detectionFindingSchema = z
  .object({
    ...baseEvent,
    category_uid: z.literal(2),
    class_uid: z.literal(2004),
    activity_id: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3), z.literal(99)]),
    finding_info: z.object({ uid: z.string().min(1), title: z.string().min(1) }).passthrough(),
  })
  .passthrough()
  .refine(typeUidMatches, { message: 'type_uid must be class_uid * 100 + activity_id' });

/** The required subset of an OCSF 1.x API Activity (class 6003), the class of exported audit events. */
export const apiActivitySchema = z
  .object({
    ...baseEvent,
    category_uid: z.literal(6),
    class_uid: z.literal(6003),
    api: z.object({ operation: z.string().min(1) }).passthrough(),
    actor: z.object({}).passthrough(),
    src_endpoint: z.object({}).passthrough(),
  })
  .passthrough()
  .refine(typeUidMatches, { message: 'type_uid must be class_uid * 100 + activity_id' });
