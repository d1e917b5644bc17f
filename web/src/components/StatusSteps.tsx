/** Where a case stands on its road, with DESIGN §3's labels. */
import { Grid, Steps } from 'antd';
import { STATUS_STEPS, stepPosition, type CaseStatus } from '@/lib/labels';

/** `compact`: titles under the numbers, for a narrow desktop column. */
export function StatusSteps({ status, compact }: { status: CaseStatus; compact?: boolean }) {
  const screens = Grid.useBreakpoint();
  const position = stepPosition(status);
  const items = STATUS_STEPS.map((step, index) => ({
    key: step.key,
    title: index === position.current ? position.currentTitle : step.title,
  }));
  return (
    <nav aria-label="办理进度">
      <Steps
        size="small"
        orientation={screens.md ? 'horizontal' : 'vertical'}
        titlePlacement={compact ? 'vertical' : 'horizontal'}
        current={position.current}
        status={position.status}
        items={items}
      />
    </nav>
  );
}
