/** How the result comes back (DESIGN §4): mail to an address, or pickup at the receiving or handling window. */
import { Form, Input, Radio, Space } from 'antd';
import { useOffices } from '@/hooks/useReference';
import { cityName, deliveryLabel } from '@/lib/labels';
import { mobileRule } from './ApplicantFields';

export function DeliveryFields({ methods }: { methods: string[] }) {
  const method = Form.useWatch(['delivery', 'method']) as string | undefined;
  const offices = useOffices();
  const cities = [...new Set((offices.data ?? []).map((o) => o.city))].sort();
  return (
    <>
      <Form.Item name={['delivery', 'method']} label="办理结果如何送达给您" rules={[{ required: true, message: '请选择结果送达方式' }]}>
        <Radio.Group aria-label="办理结果如何送达给您">
          <Space orientation="vertical">
            {methods.map((m) => (
              <Radio key={m} value={m}>{deliveryLabel(m)}</Radio>
            ))}
          </Space>
        </Radio.Group>
      </Form.Item>
      {method === 'MAIL' ? (
        <fieldset className="kc-fieldset">
          <legend>邮寄地址</legend>
          <Form.Item name={['delivery', 'address', 'city']} label="城市" rules={[{ required: true, message: '请选择城市' }]}>
            <Radio.Group aria-label="城市" options={cities.map((c) => ({ value: c, label: cityName(c) }))} />
          </Form.Item>
          <Form.Item
            name={['delivery', 'address', 'detail']}
            label="详细地址"
            rules={[{ required: true, whitespace: true, message: '请输入详细地址' }]}
          >
            <Input.TextArea autoComplete="street-address" maxLength={200} autoSize={{ minRows: 2 }} />
          </Form.Item>
          <Form.Item
            name={['delivery', 'address', 'recipient']}
            label="收件人"
            rules={[{ required: true, whitespace: true, message: '请输入收件人' }]}
          >
            <Input autoComplete="name" maxLength={64} />
          </Form.Item>
          <Form.Item name={['delivery', 'address', 'phone']} label="收件人手机" rules={[mobileRule]}>
            <Input autoComplete="tel" inputMode="numeric" maxLength={11} />
          </Form.Item>
        </fieldset>
      ) : null}
    </>
  );
}
