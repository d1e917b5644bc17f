/**
 * Tracking without signing in: /track?case_no=…&code=… (the link an SMS carries), or typed. Shows what
 * /track/{case_no} returns — no personal data.
 */
import { useQuery } from '@tanstack/react-query';
import { Button, Space } from 'antd';
import { Panel } from '@/components/Panel';
import { useSearchParams } from 'react-router';
import { CaseProgress, type Reasons } from '@/components/CaseProgress';
import { PageHeader } from '@/components/PageHeader';
import { ErrorState, Loading } from '@/components/PageState';
import { api, call } from '@/lib/api/client';
import { ApiError } from '@/lib/api/errors';
import { TrackForm } from './TrackForm';

export function useTracking(caseNo: string, code: string) {
  return useQuery({
    queryKey: ['track', caseNo, code],
    enabled: Boolean(caseNo && code),
    queryFn: () => call(api().GET('/track/{case_no}', { params: { path: { case_no: caseNo }, query: { code } } })),
    // A case moves while someone watches it (the courier, the offices): refresh now and then.
    refetchInterval: 30_000,
  });
}

export function TrackPage() {
  const [params, setParams] = useSearchParams();
  const caseNo = (params.get('case_no') ?? '').trim().toUpperCase();
  const code = (params.get('code') ?? '').trim();
  const tracking = useTracking(caseNo, code);
  const asking = Boolean(caseNo && code);

  return (
    <>
      <PageHeader title="办件查询" crumbs={[{ path: '/', title: '首页' }, { title: '办件查询' }]} />
      {!asking || tracking.isError ? (
        <Panel size="small" className="kc-track-form">
          <TrackForm
            initial={{ case_no: caseNo, code }}
            onSubmit={(v) => setParams({ case_no: v.case_no, code: v.code })}
          />
        </Panel>
      ) : null}
      {asking && tracking.isPending ? <Loading label="正在查询办件…" /> : null}
      {asking && tracking.isError ? (
        tracking.error instanceof ApiError && tracking.error.status === 404 ? (
          <ErrorState error={new ApiError(404, 'not_found', '未找到该办件：请核对办件编号和查询码。')} />
        ) : (
          <ErrorState error={tracking.error} onRetry={() => tracking.refetch()} />
        )
      ) : null}
      {tracking.data ? (
        <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
          <CaseProgress
            caseNo={tracking.data.case_no}
            status={tracking.data.status}
            matterId={tracking.data.matter_id}
            promisedBy={tracking.data.promised_by}
            missing={tracking.data.missing}
            supplementDue={tracking.data.supplement_due}
            reasons={tracking.data as Reasons}
            timeline={tracking.data.timeline}
            parcels={tracking.data.shipments}
          />
          <Button onClick={() => setParams({})}>查询其他办件</Button>
        </Space>
      ) : null}
    </>
  );
}
