/**
 * Printed documents of one parcel (寄递单): the 交接单 (handover list: what the parcel carries, waybill, from,
 * to, date, signatures) on A4, and the A6 waybill label with the waybill as a barcode. A consolidated parcel
 * (合包) prints its handover list with every case it carries (ParcelHandoverPage).
 */
import { Alert, Button } from 'antd';
import { Link, useParams } from 'react-router';
import { ErrorState, Loading } from '@/components/PageState';
import { PrintLayout } from '@/components/PrintLayout';
import { useCaseDetail, useCaseShipments } from '@/hooks/useCase';
import { HANDOVER_STATE_LABELS, useParcel as useConsolidatedParcel } from '@/hooks/useParcel';
import { useMatterName, useOffices } from '@/hooks/useReference';
import { formatDate } from '@/lib/dates';
import { cityName, parcelKindLabel } from '@/lib/labels';
import { maskName, maskPhone } from '@/lib/mask';
import { Barcode } from './Barcode';

interface OfficeDetails {
  office_id: string;
  name: string;
  city: string;
  address?: string;
  phone?: string;
  postcode?: string;
}

function useParcel() {
  const { caseNo = '', waybill = '' } = useParams();
  const detail = useCaseDetail(caseNo);
  const legs = useCaseShipments(caseNo);
  const offices = useOffices();
  const leg = legs.data?.find((l) => l.waybill === waybill);
  const office = (id: string | null | undefined): OfficeDetails | undefined =>
    (offices.data as OfficeDetails[] | undefined)?.find((o) => o.office_id === id);
  return { caseNo, waybill, detail, legs, leg, office, pending: detail.isPending || legs.isPending || offices.isPending };
}

function Back({ caseNo }: { caseNo: string }) {
  return <Link to={`/handling/cases/${caseNo}`}><Button>返回办件</Button></Link>;
}

function Destination({ leg, office }: { leg: NonNullable<ReturnType<typeof useParcel>['leg']>; office: ReturnType<typeof useParcel>['office'] }) {
  const to = office(leg.to_office_id);
  if (to) return <>{to.name}<br />{to.address ?? ''}{to.phone ? ` · ${to.phone}` : ''}</>;
  const addr = (leg.to_address ?? {}) as Record<string, string>;
  // The label is printed by staff: the recipient and phone stay masked here as everywhere outside the applicant.
  return <>{maskName(addr.recipient)} {maskPhone(addr.phone)}<br />{cityName(addr.city)} {addr.detail ?? ''}</>;
}

export function HandoverPage() {
  const p = useParcel();
  const matterName = useMatterName();
  if (p.pending) return <Loading label="正在准备交接单…" />;
  if (p.detail.isError) return <ErrorState error={p.detail.error} />;
  if (p.legs.isError) return <ErrorState error={p.legs.error} />;
  const data = p.detail.data;
  if (!p.leg || !data) return <Alert type="error" showIcon title={`办件 ${p.caseNo} 没有运单 ${p.waybill}`} />;
  const { leg } = p;
  const from = p.office(leg.from_office_id);
  const carried = leg.kind.toLowerCase() === 'materials' ? data.materials.filter((m) => m.provided).map((m) => m.name) : [`办理结果（${data.decision === 'DENIED' ? '不予' : '准予'}）`];
  return (
    <PrintLayout title={`跨城通办${parcelKindLabel(leg.kind)}交接单`} actions={<Back caseNo={p.caseNo} />}>
      <table className="kc-print-table">
        <tbody>
          <tr><th scope="row">运单号</th><td><strong>{leg.waybill}</strong>（{leg.courier} {leg.service}）</td></tr>
          <tr><th scope="row">寄出单位</th><td>{from ? `${from.name} ${from.address ?? ''}` : leg.from_office_id}</td></tr>
          <tr><th scope="row">接收单位</th><td><Destination leg={leg} office={p.office} /></td></tr>
          <tr><th scope="row">交寄日期</th><td>{formatDate(leg.created_at)}</td></tr>
          <tr><th scope="row">预计送达</th><td>{formatDate(leg.expected_arrival)}</td></tr>
        </tbody>
      </table>
      <h2 className="kc-print-subtitle">寄递清单</h2>
      <table className="kc-print-table">
        <thead><tr><th scope="col">序号</th><th scope="col">办件编号</th><th scope="col">事项</th><th scope="col">内件</th></tr></thead>
        <tbody>
          <tr><td>1</td><td>{data.case_no}</td><td>{matterName(data.matter_id)}</td><td>{carried.join('、')}</td></tr>
        </tbody>
      </table>
      <p className="kc-print-sign">交寄人（签字）：__________{"\u3000\u3000"}接收人（签字）：__________{"\u3000\u3000"}日期：__________</p>
    </PrintLayout>
  );
}

export function LabelPage() {
  const p = useParcel();
  if (p.pending) return <Loading label="正在准备运单标签…" />;
  if (p.detail.isError) return <ErrorState error={p.detail.error} />;
  if (p.legs.isError) return <ErrorState error={p.legs.error} />;
  if (!p.leg) return <Alert type="error" showIcon title={`办件 ${p.caseNo} 没有运单 ${p.waybill}`} />;
  const { leg } = p;
  const from = p.office(leg.from_office_id);
  return (
    <div className="kc-label-page">
      {/* An A6 sheet for the label printer, only while this page is shown. */}
      <style>{'@page { size: A6; margin: 4mm; }'}</style>
      <PrintLayout title="运单标签" actions={<Back caseNo={p.caseNo} />}>
        <div className="kc-label">
          <div className="kc-label-courier">{leg.courier} · {leg.service}</div>
          <Barcode value={leg.waybill} />
          <p className="kc-label-waybill">运单号 {leg.waybill}</p>
          <div className="kc-label-block"><span className="kc-label-key">收</span><div><Destination leg={leg} office={p.office} /></div></div>
          <div className="kc-label-block"><span className="kc-label-key">寄</span><div>{from?.name ?? leg.from_office_id}<br />{from?.address ?? ''}</div></div>
          <p className="kc-label-foot">办件 {p.caseNo} · {parcelKindLabel(leg.kind)} · {formatDate(leg.created_at)}</p>
        </div>
      </PrintLayout>
    </div>
  );
}

/** The 交接单 of a consolidated parcel (合包): one line per case, as sealed, with what the receiver found. */
export function ParcelHandoverPage() {
  const { parcelId = '' } = useParams();
  const parcel = useConsolidatedParcel(parcelId);
  const offices = useOffices();
  const matterName = useMatterName();
  if (parcel.isPending || offices.isPending) return <Loading label="正在准备交接单…" />;
  if (parcel.isError) return <ErrorState error={parcel.error} />;
  const p = parcel.data;
  const office = (id: string) => (offices.data as OfficeDetails[] | undefined)?.find((o) => o.office_id === id);
  const from = office(p.from_office_id);
  const to = office(p.to_office_id);
  const back = <Link to={`/handling/parcels/${p.parcel_id}`}><Button>返回合包</Button></Link>;
  return (
    <PrintLayout title={`跨城通办${parcelKindLabel(p.kind)}交接单（合包）`} actions={back}>
      <table className="kc-print-table">
        <tbody>
          <tr><th scope="row">合包编号</th><td>{p.parcel_id}</td></tr>
          <tr><th scope="row">运单号</th><td><strong>{p.waybill ?? '未封包'}</strong>（{p.courier} {p.service}）</td></tr>
          <tr><th scope="row">寄出单位</th><td>{from ? `${from.name} ${from.address ?? ''}` : p.from_office_id}</td></tr>
          <tr><th scope="row">接收单位</th><td>{to ? `${to.name} ${to.address ?? ''}${to.phone ? ` · ${to.phone}` : ''}` : p.to_office_id}</td></tr>
          <tr><th scope="row">揽收日</th><td>{formatDate(p.collection_day)}</td></tr>
          <tr><th scope="row">封包时间</th><td>{p.sealed_at ? formatDate(p.sealed_at) : '—'}</td></tr>
          <tr><th scope="row">件数</th><td>{p.case_count}</td></tr>
        </tbody>
      </table>
      <h2 className="kc-print-subtitle">寄递清单</h2>
      <table className="kc-print-table">
        <thead><tr><th scope="col">序号</th><th scope="col">办件编号</th><th scope="col">事项</th><th scope="col">申请人</th><th scope="col">核对</th></tr></thead>
        <tbody>
          {p.items.map((item, index) => (
            <tr key={item.case_no}>
              <td>{index + 1}</td><td>{item.case_no}</td><td>{matterName(item.matter_id)}</td>
              <td>{item.applicant_name ?? ''}</td><td>{item.state === 'PACKED' ? '□' : HANDOVER_STATE_LABELS[item.state]}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="kc-print-sign">交寄人（签字）：__________{"\u3000\u3000"}接收人（签字）：__________{"\u3000\u3000"}日期：__________</p>
    </PrintLayout>
  );
}
