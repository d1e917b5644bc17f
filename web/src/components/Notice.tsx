/**
 * A whole-page outcome (error, not found, no access, done) with what to do next. Takes the place of antd's
 * Result, whose module carries three large SVG illustrations (404, 403, 500) into every page that imports it:
 * this one is a few lines on the public and citizen path.
 */
import { CheckCircleFilled, CloseCircleFilled, ExclamationCircleFilled, InfoCircleFilled } from '@ant-design/icons';
import type { ReactNode } from 'react';

export type NoticeTone = 'success' | 'error' | 'warning' | 'info';

const ICONS: Record<NoticeTone, ReactNode> = {
  success: <CheckCircleFilled />,
  error: <CloseCircleFilled />,
  warning: <ExclamationCircleFilled />,
  info: <InfoCircleFilled />,
};

export function Notice({ tone, title, description, extra, children }: {
  tone: NoticeTone;
  title: ReactNode;
  description?: ReactNode;
  /** Actions (buttons, links). */
  extra?: ReactNode;
  children?: ReactNode;
}) {
  return (
    <section className={`kc-notice kc-notice-${tone}`}>
      <div className="kc-notice-icon" aria-hidden="true">{ICONS[tone]}</div>
      <div className="kc-notice-title">{title}</div>
      {description ? <div className="kc-notice-description">{description}</div> : null}
      {extra ? <div className="kc-notice-extra">{extra}</div> : null}
      {children ? <div className="kc-notice-content">{children}</div> : null}
    </section>
  );
}
