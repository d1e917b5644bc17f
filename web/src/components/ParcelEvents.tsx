/** Parcels (寄递单) of a case and their courier tracking events; a consolidated parcel (合包) names itself, with a
 * link for staff (``parcelHref``), and an urgent one (加急) says so. */
import { Descriptions, Tag } from 'antd';
import { Link } from 'react-router';
import { EventList } from '@/components/EventList';
import { Panel } from '@/components/Panel';
import type { components } from '@/lib/api/schema';
import { formatDate, formatDateTime } from '@/lib/dates';
import { cityName, parcelEventLabel, parcelKindLabel } from '@/lib/labels';

type Parcel = components['schemas']['PublicShipment'];

export function ParcelEvents({ parcels, officeName, parcelHref }: {
  parcels: Parcel[];
  officeName?: (id: string | null) => string;
  parcelHref?: (parcelId: string) => string;
}) {
  if (!parcels.length) return <span className="kc-secondary">暂无寄递信息</span>;
  const office = officeName ?? ((id: string | null) => id ?? '—');
  return (
    <div className="kc-parcels">
      {parcels.map((p) => (
        <Panel
          key={p.waybill}
          size="small"
          title={<span>{parcelKindLabel(p.kind)} · {p.courier} <span className="kc-waybill">{p.waybill}</span></span>}
          extra={<>
            {p.urgent ? <Tag color="warning">加急</Tag> : null}
            {p.overdue ? <Tag color="error">超时</Tag> : <Tag>{parcelEventLabel(p.status)}</Tag>}
          </>}
          className="kc-parcel"
        >
          <Descriptions size="small" column={1}>
            <Descriptions.Item label="寄出">{office(p.from_office_id)}</Descriptions.Item>
            <Descriptions.Item label="寄往">{p.to_office_id ? office(p.to_office_id) : cityName(p.to_city)}</Descriptions.Item>
            <Descriptions.Item label="预计送达">{formatDate(p.expected_arrival)}</Descriptions.Item>
            {p.superseded_by ? <Descriptions.Item label="已改寄">{p.superseded_by}</Descriptions.Item> : null}
            {p.parcel_id ? (
              <Descriptions.Item label="合包">
                {parcelHref ? <Link to={parcelHref(p.parcel_id)}>{p.parcel_id}</Link> : p.parcel_id}
              </Descriptions.Item>
            ) : null}
          </Descriptions>
          {p.events.length ? (
            <EventList
              label="寄递轨迹"
              items={[...p.events].reverse().map((e, i) => ({
                key: i,
                content: (
                  <span>
                    {parcelEventLabel(e.event)}
                    <span className="kc-secondary"> · {formatDateTime(e.at)}</span>
                  </span>
                ),
              }))}
            />
          ) : null}
        </Panel>
      ))}
    </div>
  );
}
