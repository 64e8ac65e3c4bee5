/**
 * `--accessor` and `--reason` checked as the flags they are, before anything
 * is opened: a usage error (exit 2) naming the flag. The library checks the
 * same rules again when it writes the audit row, but names the fields as it
 * stores them ("label must not be empty" for `--accessor`).
 */
import { ValidationError } from '../errors.ts'
import { LabelSchema, ReasonSchema, validateField } from '../secrets/validation.ts'
import { UsageError } from './command.ts'

/** @throws UsageError naming `--accessor` or `--reason` and the rule it breaks (never the text given). */
export function checkActorFlags(values: { accessor?: string | undefined; reason?: string | undefined }): void {
  try {
    if (values.accessor !== undefined) validateField('--accessor', LabelSchema, values.accessor)
    if (values.reason !== undefined) validateField('--reason', ReasonSchema, values.reason)
  } catch (e) {
    throw e instanceof ValidationError ? new UsageError(e.message) : e
  }
}
