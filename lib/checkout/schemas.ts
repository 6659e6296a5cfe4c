import { z } from "zod";

export const contactSchema = z.strictObject({
  email: z.email("Enter a valid e-mail address.").max(254),
  name: z
    .string()
    .trim()
    .min(1, "Enter your name.")
    .max(100, "Keep the name under 100 characters.")
    // Control characters (NUL above all, which Postgres refuses in text) have no place in a name.
    .regex(/^[^\p{Cc}]*$/u, "Use letters, spaces and punctuation only."),
});

export type Contact = z.infer<typeof contactSchema>;
