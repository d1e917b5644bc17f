/**
 * What a case's applicant (or anyone with its query code) needs to know, in one block: status steps, promised
 * date, what is missing and by when, reasons, the timeline and the parcels. Tracking and the citizen's case
 * page both show it; it holds no personal data.
 */
import { Alert, Descriptions, Space, Tag } from 'antd';
import { CopyText } from './CopyText';
import { Panel } from '@/components/Panel';
import type { ReactNode } from 'react';
import { useMatterName, useOfficeName } from '@/hooks/useReference';
import type { components } from '@/lib/api/schema';
import { formatDate } from '@/lib/dates';
import { statusColor, statusLabel, type CaseStatus } from '@/lib/labels';
import { CaseTimeline, type TimelineEntry } from './CaseTimeline';
import { CountdownTag } from './CountdownTag';
import { ParcelEvents } from './ParcelEvents';
import { StatusSteps } from './StatusSteps';

export interface Reasons {
  refusal_reason?: string | null;
  return_reason?: string | null;
  termination_reason?: string | null;
}

export interface CaseProgressProps {
  caseNo: string;
  status: CaseStatus;
  matterId: string;
  promisedBy: string | null;
  missing: string[];
  supplementDue: string | null;
  reasons: Reasons;
  timeline: TimelineEntry[];
  parcels: components['schemas']['PublicShipment'][];
  /** Actions or extra facts shown under the summary (the citizen's page puts its buttons here). */
  children?: ReactNode;
}

export function ReasonAlerts({ status, reasons }: { status: string; reasons: Reasons }) {
  const shown: { key: string; title: string; text: string; type: 'error' | 'warning' }[] = [];
  if (reasons.refusal_reason) shown.push({ key: 'refusal', title: '不予收件原因', text: reasons.refusal_reason, type: 'error' });
  if (reasons.return_reason && (status === 'RETURNED' || status === 'TERMINATED')) {
    shown.push({ key: 'return', title: '退回补正原因', text: reasons.return_reason, type: 'warning' });
  }
  if (reasons.termination_reason) shown.push({ key: 'termination', title: '终止原因', text: reasons.termination_reason, type: 'error' });
  return (
    <>
      {shown.map((r) => (
        <Alert key={r.key} type={r.type} showIcon title={r.title} description={r.text} className="kc-reason" />
      ))}
    </>
  );
}

export function MissingAlert({ missing, due }: { missing: string[]; due: string | null }) {
  if (!missing.length) return null;
  return (
    <Alert
      type="warning"
      showIcon
      className="kc-missing"
      title={`待补齐材料（容缺受理）：${missing.join('、')}`}
      description={
        due ? (
          <span>
            请在 <strong>{formatDate(due)}</strong> 前补齐，逾期未补齐的办件将终止。 <CountdownTag deadline={due} />
          </span>
        ) : '请尽快补齐。'
      }
    />
  );
}

export function CaseProgress(props: CaseProgressProps) {
  const matterName = useMatterName();
  const officeName = useOfficeName();
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Panel size="small">
        <Descriptions
          column={{ xs: 1, sm: 2 }}
          size="small"
          items={[
            { key: 'no', label: '办件编号', children: <CopyText text={props.caseNo} label="办件编号" /> },
            { key: 'status', label: '当前状态', children: <Tag color={statusColor(props.status)}>{statusLabel(props.status)}</Tag> },
            { key: 'matter', label: '事项', children: matterName(props.matterId) },
            { key: 'promised', label: '承诺办结日期', children: props.promisedBy ? formatDate(props.promisedBy) : '收件受理后确定' },
          ]}
        />
        <StatusSteps status={props.status} />
        {props.children}
      </Panel>
      <MissingAlert missing={props.missing} due={props.supplementDue} />
      <ReasonAlerts status={props.status} reasons={props.reasons} />
      <Panel size="small" title={<h2 className="kc-card-title">办理记录</h2>}>
        <CaseTimeline events={props.timeline} />
      </Panel>
      <Panel size="small" title={<h2 className="kc-card-title">寄递信息</h2>}>
        <ParcelEvents parcels={props.parcels} officeName={officeName} />
      </Panel>
    </Space>
  );
}
