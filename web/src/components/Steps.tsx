/**
 * A numbered row of steps (vertical on a phone, in a row from 768 px): done ones ticked, the current one marked
 * for screen readers with aria-current="step". A few lines of markup and CSS in place of antd's Steps, which is
 * one of the heaviest pieces the public and citizen pages would otherwise load.
 */
import { CheckOutlined, CloseOutlined } from '@ant-design/icons';

export type StepsStatus = 'process' | 'finish' | 'error' | 'wait';

export interface StepItem {
  key: string;
  title: string;
}

export function Steps({ items, current, status = 'process', compact, className }: {
  items: StepItem[];
  current: number;
  /** The state of the current step; 'finish' ticks every step up to and including it. */
  status?: StepsStatus;
  /** Titles under the numbers (a narrow column). */
  compact?: boolean;
  className?: string;
}) {
  return (
    <ol className={`kc-steps${compact ? ' kc-steps-compact' : ''}${className ? ` ${className}` : ''}`}>
      {items.map((item, index) => {
        const state = index < current ? 'finish' : index > current ? 'wait' : status;
        return (
          <li key={item.key} className={`kc-step kc-step-${state}`} aria-current={index === current ? 'step' : undefined}>
            <span className="kc-step-icon" aria-hidden="true">
              {state === 'finish' ? <CheckOutlined /> : state === 'error' ? <CloseOutlined /> : index + 1}
            </span>
            <span className="kc-step-title">
              {item.title}
              {state === 'finish' && index !== current ? <span className="kc-visually-hidden">（已完成）</span> : null}
              {state === 'error' ? <span className="kc-visually-hidden">（未通过）</span> : null}
            </span>
          </li>
        );
      })}
    </ol>
  );
}
