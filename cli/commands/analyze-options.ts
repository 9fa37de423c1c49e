import { z } from 'zod';

// `cli analyze`'s options, in a module of their own: it loads (with zod) only when an option is given.

const bpm = (name: string) =>
  z.coerce
    .number({ error: `--${name} must be a number of beats per minute` })
    .int(`--${name} must be a whole number`)
    .min(20)
    .max(260)
    .optional();

export const Options = z.object({
  sport: z
    .string()
    .regex(/^[A-Za-z]{2,40}$/, '--sport must be a Strava sport type such as Ride, Run or Swim')
    .optional(),
  ftp: z.coerce
    .number({ error: '--ftp must be a number of watts' })
    .positive('--ftp must be positive')
    .max(2000)
    .optional(),
  'run-ftp': z.coerce
    .number({ error: '--run-ftp must be a number of watts' })
    .positive('--run-ftp must be positive')
    .max(2000)
    .optional(),
  lthr: bpm('lthr'),
  'max-hr': bpm('max-hr'),
  'rest-hr': bpm('rest-hr'),
  sex: z.enum(['male', 'female'], { error: '--sex must be male or female' }).optional(),
  'threshold-pace': z.string().optional(),
  'swim-threshold-pace': z.string().optional(),
});

export type Options = z.infer<typeof Options>;
