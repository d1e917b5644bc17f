/** A 400 naming a field goes next to that field in the form (the console's rule); anything else is toasted. */
import type { FormInstance } from 'antd';
import { ApiError } from '@/lib/api/errors';

export function showFieldError(form: FormInstance, error: unknown, fields: string[]): void {
  if (error instanceof ApiError && error.status === 400 && error.field) {
    const name = fields.includes(error.field) ? error.field : fields[0];
    if (name) form.setFields([{ name, errors: [error.message] }]);
  }
}
