/**
 * The window's printed documents (A4, print stylesheet), loaded on demand:
 * 收件回执 (receipt: case number, query code, matter, materials received, promised date, tracking link),
 * 一次性告知书 (what is missing and by when), 不予收件通知 (refusal with its reason).
 */
import { Result, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useParams } from 'react-router';
import { ErrorState, Loading } from '@/components/PageState';
import { PrintLayout } from '@/components/PrintLayout';
import { useCaseDetail } from '@/hooks/useCase';
import { useMatters, useOfficeName } from '@/hooks/useReference';
import type { components } from '@/lib/api/schema';
import { formatDate, formatDateTime, inShanghai } from '@/lib/dates';
import { deliveryLabel, statusLabel } from '@/lib/labels';
import { queryCodeOf } from '../queryCodes';

type CaseView = components['schemas']['Case'];

const TITLES: Record<string, string> = { receipt: '跨城通办收件回执', notice: '容缺受理一次性告知书', refusal: '不予收件通知书' };

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <tr>
      <th scope="row">{label}</th>
      <td>{children}</td>
    </tr>
  );
}

function Document({ kind, c }: { kind: string; c: CaseView }) {
  const officeName = useOfficeName();
  const matters = useMatters();
  const matter = matters.data?.find((m) => m.matter_id === c.matter_id);
  const code = queryCodeOf(c.case_no) ?? (c as { query_code?: string }).query_code;
  const trackUrl = code ? `${window.location.origin}/track?case_no=${c.case_no}&code=${code}` : `${window.location.origin}/track`;
  const received = c.materials.filter((m) => !c.missing.includes(m.name) && m.provided);
  const today = inShanghai(new Date()).format('YYYY年M月D日');
  return (
    <>
      <table className="kc-print-table">
        <tbody>
          <Row label="办件编号"><strong data-testid="print-case-no">{c.case_no}</strong></Row>
          {kind === 'receipt' ? <Row label="查询码"><strong data-testid="print-query-code">{code ?? '（已告知申请人）'}</strong></Row> : null}
          <Row label="申请人">{c.applicant.name}</Row>
          <Row label="事项">{matter?.name ?? c.matter_id}</Row>
          <Row label="收件窗口">{officeName(c.receiving_office_id)}</Row>
          {kind === 'receipt' ? (
            <>
              <Row label="已收材料">{received.map((m) => m.name).join('、') || '—'}</Row>
              {c.missing.length ? <Row label="容缺材料">{c.missing.join('、')}（请于 {formatDate(c.supplement_due)} 前补齐）</Row> : null}
              <Row label="承诺办结日期">{c.promised_by ? formatDate(c.promised_by) : `受理后 ${matter?.time_limit_working_days ?? ''} 个工作日内`}</Row>
              <Row label="结果送达">{deliveryLabel(c.delivery.method)}</Row>
              <Row label="当前状态">{statusLabel(c.status)}</Row>
              <Row label="进度查询">{trackUrl}</Row>
            </>
          ) : null}
          {kind === 'notice' ? (
            <>
              <Row label="需补齐材料">{c.missing.join('、') || '无'}</Row>
              <Row label="补齐期限">{formatDate(c.supplement_due)}</Row>
            </>
          ) : null}
          {kind === 'refusal' ? <Row label="不予收件原因">{c.refusal_reason ?? '—'}</Row> : null}
        </tbody>
      </table>
      {kind === 'receipt' ? (
        <Typography.Paragraph className="kc-print-text">
          凭办件编号和查询码，可在“跨城通办”网站“办件查询”随时查看办理进度，也可登录后用查询码认领本办件。
        </Typography.Paragraph>
      ) : null}
      {kind === 'notice' ? (
        <Typography.Paragraph className="kc-print-text">
          您申请的事项已容缺受理。请在上述期限前将所列材料一次性补齐交到收件窗口；逾期未补齐的，办件终止。本告知书一次性告知全部需补齐的材料。
        </Typography.Paragraph>
      ) : null}
      {kind === 'refusal' ? (
        <Typography.Paragraph className="kc-print-text">
          因上述原因，本窗口对您的申请不予收件。请按原因备齐材料后重新申请。如有疑问，可向收件窗口咨询。
        </Typography.Paragraph>
      ) : null}
      <div className="kc-print-sign">
        <div>{officeName(c.receiving_office_id)}（盖章）</div>
        <div>{today}</div>
        <div className="kc-print-small">打印时间 {formatDateTime(new Date().toISOString())}</div>
      </div>
    </>
  );
}

export function PrintPage() {
  const { kind = 'receipt', caseNo = '' } = useParams();
  const detail = useCaseDetail(caseNo);
  const title = TITLES[kind];
  if (!title) return <Result status="404" title="没有这种文书" />;
  if (detail.isPending) return <Loading />;
  if (detail.isError) return <ErrorState error={detail.error} onRetry={() => detail.refetch()} />;
  return (
    <PrintLayout title={title}>
      <Document kind={kind} c={detail.data} />
    </PrintLayout>
  );
}
