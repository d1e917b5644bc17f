/** Where a case stands on its road, with DESIGN §3's labels. */
import { STATUS_STEPS, stepPosition, type CaseStatus } from '@/lib/labels';
import { Steps } from './Steps';

/** `compact`: titles under the numbers, for a narrow desktop column. */
export function StatusSteps({ status, compact }: { status: CaseStatus; compact?: boolean }) {
  const position = stepPosition(status);
  const items = STATUS_STEPS.map((step, index) => ({
    key: step.key,
    title: index === position.current ? position.currentTitle : step.title,
  }));
  return (
    <nav aria-label="办理进度">
      <Steps items={items} current={position.current} status={position.status} compact={compact} />
    </nav>
  );
}
