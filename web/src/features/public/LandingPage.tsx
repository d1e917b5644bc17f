/**
 * The public front page: what 跨城通办 is (two sentences), tracking, and the matter catalogue by city — what a
 * city's window accepts for which other city, with materials (必要 / 可容缺), time limit, electronic transfer and
 * delivery options. Everything comes from the API's reference data (a fourth city needs no change here).
 */
import { Col, Flex, Row, Segmented, Space, Tag } from 'antd';
import { Panel } from '@/components/Panel';
import { useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { PageHeader } from '@/components/PageHeader';
import { EmptyState, ErrorState, Loading } from '@/components/PageState';
import { useMatters, useOffices, type Matter } from '@/hooks/useReference';
import { cityName, deliveryLabel, materialKindLabel, RONGQUE_EXPLAINED } from '@/lib/labels';
import { TrackForm } from './TrackForm';

export function MatterCard({ matter, applyLink = true }: { matter: Matter; applyLink?: boolean }) {
  return (
    <Panel
      size="small"
      className="kc-matter"
      title={<h4 className="kc-matter-title">{matter.name}</h4>}
      extra={applyLink ? <Link to={`/citizen/apply?matter=${encodeURIComponent(matter.matter_id)}`} aria-label={`在线申请 ${matter.name}`}>在线申请</Link> : null}
    >
      <Space orientation="vertical" size={6} style={{ width: '100%' }}>
        <Flex wrap gap={6}>
          <Tag color="processing">办理地 {cityName(matter.handling_city)}</Tag>
          <Tag>承诺时限 {matter.time_limit_working_days} 个工作日</Tag>
          {matter.electronic ? <Tag color="success">电子流转，无需寄递材料</Tag> : <Tag>材料由窗口寄递</Tag>}
        </Flex>
        <div>
          <strong>所需材料：</strong>
          <ul className="kc-materials">
            {matter.materials.map((m) => (
              <li key={m.name}>
                {m.name}
                <Tag className="kc-material-kind" color={m.core ? 'error' : 'warning'}>{materialKindLabel(m.core)}</Tag>
              </li>
            ))}
          </ul>
        </div>
        <div>
          <strong>结果送达：</strong>
          {matter.deliveries.map(deliveryLabel).join('、')}
        </div>
      </Space>
    </Panel>
  );
}

function Catalogue() {
  const matters = useMatters();
  const offices = useOffices();
  const cities = useMemo(() => {
    const codes = new Set<string>();
    for (const o of offices.data ?? []) codes.add(o.city);
    for (const m of matters.data ?? []) m.accepted_in.forEach((c) => codes.add(c));
    return [...codes].sort();
  }, [offices.data, matters.data]);
  const [chosen, setChosen] = useState<string | null>(null);
  const here = chosen ?? cities[0] ?? null;

  if (matters.isPending || offices.isPending) return <Loading label="正在加载事项目录…" />;
  if (matters.isError) return <ErrorState error={matters.error} onRetry={() => matters.refetch()} />;
  if (offices.isError) return <ErrorState error={offices.error} onRetry={() => offices.refetch()} />;
  if (!here) return <EmptyState description="暂无可跨城办理的事项" />;

  const accepted = matters.data.filter((m) => m.accepted_in.includes(here));
  const byHandlingCity = new Map<string, Matter[]>();
  for (const m of accepted) byHandlingCity.set(m.handling_city, [...(byHandlingCity.get(m.handling_city) ?? []), m]);
  const windows = offices.data.filter((o) => o.city === here && o.kinds.includes('receiving'));

  return (
    <section aria-labelledby="catalogue-title">
      <h2 id="catalogue-title" className="kc-section-title">可跨城办理的事项</h2>
      <p>选择您现在所在的城市，查看在该市窗口可以办理哪些其他城市的事项。</p>
      <div role="group" aria-label="我现在所在的城市">
        <Segmented
          block
          value={here}
          onChange={(v) => setChosen(String(v))}
          options={cities.map((c) => ({ label: `在${cityName(c)}`, value: c }))}
        />
      </div>
      <p className="kc-secondary kc-windows">
        {cityName(here)}的跨城通办窗口：{windows.map((w) => w.name).join('；') || '暂无'}
      </p>
      {byHandlingCity.size === 0 ? <EmptyState description={`${cityName(here)}窗口暂无可跨城办理的事项`} /> : null}
      {[...byHandlingCity.entries()].map(([city, list]) => (
        <div key={city} className="kc-catalogue-group">
          <h3 className="kc-group-title">
            在{cityName(here)}办理{cityName(city)}的事项（{list.length} 项）
          </h3>
          <Row gutter={[12, 12]}>
            {list.map((m) => (
              <Col key={m.matter_id} xs={24} md={12}>
                <MatterCard matter={m} />
              </Col>
            ))}
          </Row>
        </div>
      ))}
    </section>
  );
}

export function LandingPage() {
  const navigate = useNavigate();
  return (
    <>
      <PageHeader title="跨城通办" />
      <p className="kc-lead">
        在深圳、东莞、珠海任一城市的政务服务窗口或网上，就能申请办理另一个城市的政务服务事项，不用再两地奔波。
        窗口收取并核验材料后寄送（或电子流转）到办理地部门，办好的结果邮寄到家或到窗口领取，全程可查询。
      </p>
      <Row gutter={[16, 16]}>
        <Col xs={24} md={12}>
          <Panel title={<h2 className="kc-card-title">查询办件进度</h2>} size="small">
            <TrackForm compact onSubmit={(v) => navigate(`/track?case_no=${encodeURIComponent(v.case_no)}&code=${encodeURIComponent(v.code)}`)} />
          </Panel>
        </Col>
        <Col xs={24} md={12}>
          <Panel title={<h2 className="kc-card-title">在线申请</h2>} size="small">
            <ol className="kc-how-list">
              <li>选择事项和收件窗口，填写身份信息</li>
              <li>对照材料清单准备材料，选择结果送达方式</li>
              <li>提交后凭办件编号和查询码随时查询</li>
            </ol>
            <Link to="/citizen/apply" className="kc-link-button">登录后在线申请</Link>
          </Panel>
        </Col>
      </Row>
      <details className="kc-rongque">
        <summary>什么是“容缺受理”？</summary>
        <p>{RONGQUE_EXPLAINED}</p>
      </details>
      <Catalogue />
    </>
  );
}
