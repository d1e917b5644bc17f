/**
 * GOV.UK's error summary: at the top of a form, focused when shown, each error a link that moves focus to its
 * field. Field ids follow `fieldId(name)`, the ids antd gives form items of that name.
 */
import { Alert } from 'antd';
import { useEffect, useRef } from 'react';

export interface FieldError {
  /** The form field's name path joined with '_' (antd's id), e.g. "applicant_id_number". */
  field: string;
  message: string;
}

export function fieldId(name: string | (string | number)[]): string {
  return Array.isArray(name) ? name.join('_') : name.replace(/\./g, '_');
}

export function ErrorSummary({ errors, title = '请修改以下问题' }: { errors: FieldError[]; title?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (errors.length) ref.current?.focus();
  }, [errors]);
  if (!errors.length) return null;
  return (
    <div ref={ref} tabIndex={-1} className="kc-error-summary" aria-labelledby="kc-error-summary-title">
      <Alert
        type="error"
        showIcon
        title={<h2 id="kc-error-summary-title" className="kc-error-summary-title">{title}</h2>}
        description={
          <ul className="kc-error-summary-list">
            {errors.map((e) => (
              <li key={`${e.field}:${e.message}`}>
                <a
                  href={`#${e.field}`}
                  onClick={(event) => {
                    const target = document.getElementById(e.field);
                    if (target) {
                      event.preventDefault();
                      target.focus();
                      target.scrollIntoView({ block: 'center' });
                    }
                  }}
                >
                  {e.message}
                </a>
              </li>
            ))}
          </ul>
        }
      />
    </div>
  );
}
