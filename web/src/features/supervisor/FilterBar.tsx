/** City (provincial level only), office, ticket status and period filters, each with its label. */
import { Button, DatePicker, Form, Select, Space } from 'antd';
import dayjs from 'dayjs';
import { useOffices } from '@/hooks/useReference';
import { useAuthValue } from '@/lib/auth/context';
import { TIME_ZONE } from '@/lib/dates';
import { CITY_NAMES, TICKET_STATUS_LABELS } from '@/lib/labels';
import { type Filters, PROVINCIAL, toDay } from './filters';

export function FilterBar({ value, onChange, withStatus = false, extra }: {
  value: Filters;
  onChange: (next: Filters) => void;
  withStatus?: boolean;
  extra?: React.ReactNode;
}) {
  const identity = useAuthValue().identity;
  const provincial = identity?.city === PROVINCIAL;
  const offices = useOffices();
  const city = provincial ? value.city : identity?.city;
  const officeOptions = (offices.data ?? [])
    .filter((o) => !city || o.city === city)
    .map((o) => ({ value: o.office_id, label: o.name }));
  const cityOptions = Object.entries(CITY_NAMES).filter(([code]) => code !== PROVINCIAL).map(([code, name]) => ({ value: code, label: name }));
  const range: [dayjs.Dayjs, dayjs.Dayjs] | null = value.from && value.to ? [dayjs.tz(value.from, TIME_ZONE), dayjs.tz(value.to, TIME_ZONE)] : null;
  return (
    <Form layout="inline" className="kc-filter-bar" aria-label="筛选条件">
      {provincial ? (
        <Form.Item label="城市" htmlFor="filter-city">
          <Select
            id="filter-city"
            allowClear
            placeholder="全省"
            style={{ width: 140 }}
            value={value.city}
            options={cityOptions}
            onChange={(c?: string) => onChange({ ...value, city: c, office_id: undefined })}
          />
        </Form.Item>
      ) : null}
      <Form.Item label="单位" htmlFor="filter-office">
        <Select
          id="filter-office"
          allowClear
          placeholder="全部单位"
          style={{ width: 260 }}
          value={value.office_id}
          options={officeOptions}
          onChange={(o?: string) => onChange({ ...value, office_id: o })}
        />
      </Form.Item>
      {withStatus ? (
        <Form.Item label="工单状态" htmlFor="filter-status">
          <Select
            id="filter-status"
            allowClear
            placeholder="全部状态"
            style={{ width: 170 }}
            value={value.ticket_status}
            options={Object.entries(TICKET_STATUS_LABELS).map(([v, l]) => ({ value: v, label: l }))}
            onChange={(s?: string) => onChange({ ...value, ticket_status: s })}
          />
        </Form.Item>
      ) : null}
      <Form.Item label="期间" htmlFor="filter-period">
        <DatePicker.RangePicker
          id="filter-period"
          value={range}
          allowClear
          onChange={(r) => onChange({ ...value, from: toDay(r?.[0]), to: toDay(r?.[1]) })}
        />
      </Form.Item>
      {extra ? <Form.Item><Space>{extra}</Space></Form.Item> : null}
      <Form.Item>
        <Button onClick={() => onChange({})}>清除筛选</Button>
      </Form.Item>
    </Form>
  );
}
