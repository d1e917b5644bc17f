/**
 * 电子证照 and 秒批 on a case, for citizens and staff alike: materials provided by licence (a reference: number,
 * issuer, validity — never the licence itself), materials the licence library could not read (bring them on
 * paper), the result issued as a licence, and the approval rule's check with its reasons. Plain elements only:
 * it sits on the citizen's phone path, where every kilobyte counts.
 */
import type { components } from '@/lib/api/schema';
import { RULE_OUTCOME_LABELS } from '@/lib/labels';

type Case = components['schemas']['Case'];
type LicenceRef = components['schemas']['LicenceReference'];

export function licenceText(l: LicenceRef | null | undefined): string {
  if (!l) return '';
  const until = l.valid_until ? `，有效期至 ${l.valid_until}` : '，长期有效';
  return `${l.licence_type ?? ''} ${l.licence_no ?? ''}（${l.issuer ?? ''}${until}）`;
}

/** Materials provided by licence, and those that stay paper because the library did not answer. */
export function LicenceMaterials({ data }: { data: Pick<Case, 'materials' | 'licence_unavailable'> }) {
  const byLicence = data.materials.filter((m) => m.source === 'licence');
  const unavailable = data.licence_unavailable ?? [];
  if (!byLicence.length && !unavailable.length) return null;
  return (
    <section className="kc-licences" aria-label="电子证照">
      {byLicence.length ? (
        <>
          <h3 className="kc-licences-title">已通过电子证照提供（免提交，无需寄递）</h3>
          <ul className="kc-licences-list">
            {byLicence.map((m) => (
              <li key={m.name} data-testid={`licence-${m.name}`}>
                <strong>{m.name}</strong>：电子证照 {licenceText(m.licence)}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {unavailable.length ? (
        <p className="kc-licences-warning" role="status">
          电子证照库暂时无法读取：{unavailable.join('、')}。您的申请已提交，请携带纸质材料到收件窗口。
        </p>
      ) : null}
    </section>
  );
}

/** The result issued to the applicant as an electronic licence. */
export function ResultLicence({ licence }: { licence: LicenceRef | null | undefined }) {
  if (!licence) return null;
  return (
    <p className="kc-licences" data-testid="result-licence">
      办理结果已作为电子证照发放：{licenceText(licence)}
    </p>
  );
}

type RuleCheckView = components['schemas']['RuleCheck'];

/** 秒批: the rule, its version, what it read and each condition, so staff see why. */
export function RuleCheck({ check }: { check: RuleCheckView | null | undefined }) {
  if (!check) return null;
  const conditions = (check.conditions ?? []) as { says?: string; holds?: boolean; actual?: unknown }[];
  return (
    <section className="kc-licences" aria-label="秒批核验" data-testid="rule-check">
      <h3 className="kc-licences-title">
        秒批：{RULE_OUTCOME_LABELS[check.outcome] ?? check.outcome}
      </h3>
      <div className="kc-secondary">规则 {check.rule_id} 第 {check.rule_version} 版</div>
      {conditions.length ? (
        <ul className="kc-licences-list">
          {conditions.map((c, i) => (
            <li key={i}>{c.holds ? '✓' : '✗'} {c.says} <span className="kc-secondary">（读取值：{String(c.actual)}）</span></li>
          ))}
        </ul>
      ) : null}
      {check.reason ? <div className="kc-secondary">原因：{check.reason}</div> : null}
    </section>
  );
}
