/**
 * The console's one source of Chinese labels: case states (DESIGN §3), materials, deliveries, ratings (§5),
 * parcel events (§4), cities, identity documents. Pages never spell these out themselves.
 */
import type { components } from '@/lib/api/schema';

export type CaseStatus = components['schemas']['Case']['status'];
export type DeliveryMethod = components['schemas']['apply_request']['delivery']['method'];
export type IdType = components['schemas']['apply_request']['applicant']['id_type'];
export type Role = 'citizen' | 'staff' | 'supervisor' | 'admin';

export const STATUS_LABELS: Record<CaseStatus, string> = {
  SUBMITTED: '已申请',
  RECEIVED: '已收件',
  REFUSED: '不予收件',
  WITHDRAWN: '已撤回',
  IN_TRANSIT: '材料寄递中',
  ACCEPTED: '已受理',
  RETURNED: '退回补正',
  APPROVED: '准予',
  DENIED: '不予',
  RESULT_IN_TRANSIT: '结果寄递中',
  READY_FOR_PICKUP: '待领取',
  COMPLETED: '已办结',
  TERMINATED: '终止',
};

export const ALL_STATUSES = Object.keys(STATUS_LABELS) as CaseStatus[];

/** States a case never leaves (DESIGN §3). */
export const TERMINAL_STATUSES: ReadonlySet<CaseStatus> = new Set(['REFUSED', 'WITHDRAWN', 'COMPLETED', 'TERMINATED']);

export function statusLabel(status: string): string {
  return (STATUS_LABELS as Record<string, string>)[status] ?? status;
}

/** Colour of a status tag: where the case stands for the person reading it. */
export function statusColor(status: string): string {
  switch (status) {
    case 'COMPLETED':
    case 'APPROVED':
      return 'success';
    case 'REFUSED':
    case 'DENIED':
    case 'TERMINATED':
      return 'error';
    case 'RETURNED':
      return 'warning';
    case 'WITHDRAWN':
      return 'default';
    default:
      return 'processing';
  }
}

/**
 * The main road of a case, as status steps: 已申请 → 已收件 → 材料寄递中 → 已受理 → 准予/不予 → 结果寄递中/待领取 → 已办结.
 * A case off the road (refused, withdrawn, terminated, returned) shows where it left it.
 */
export const STATUS_STEPS: { key: string; title: string; statuses: CaseStatus[] }[] = [
  { key: 'apply', title: '已申请', statuses: ['SUBMITTED'] },
  { key: 'receive', title: '已收件', statuses: ['RECEIVED', 'REFUSED', 'WITHDRAWN'] },
  { key: 'transit', title: '材料寄递中', statuses: ['IN_TRANSIT'] },
  { key: 'accept', title: '已受理', statuses: ['ACCEPTED', 'RETURNED', 'TERMINATED'] },
  { key: 'decide', title: '准予/不予', statuses: ['APPROVED', 'DENIED'] },
  { key: 'deliver', title: '结果送达', statuses: ['RESULT_IN_TRANSIT', 'READY_FOR_PICKUP'] },
  { key: 'done', title: '已办结', statuses: ['COMPLETED'] },
];

export interface StepPosition {
  current: number;
  status: 'process' | 'finish' | 'error' | 'wait';
  /** The label shown on the current step when it is not the road's own title (e.g. 不予收件 on step 2). */
  currentTitle: string;
}

export function stepPosition(status: CaseStatus): StepPosition {
  const index = STATUS_STEPS.findIndex((step) => step.statuses.includes(status));
  const current = index < 0 ? 0 : index;
  const errorish = status === 'REFUSED' || status === 'TERMINATED' || status === 'WITHDRAWN' || status === 'DENIED';
  return {
    current,
    status: status === 'COMPLETED' ? 'finish' : errorish ? 'error' : 'process',
    currentTitle: STATUS_LABELS[status],
  };
}

export const DELIVERY_LABELS: Record<DeliveryMethod, string> = {
  MAIL: '邮寄到家',
  PICKUP_RECEIVING: '到收件窗口领取',
  PICKUP_HANDLING: '到办理地窗口领取',
  ELECTRONIC: '电子证照（免寄递，直接发放）',
};

export function deliveryLabel(method: string): string {
  return (DELIVERY_LABELS as Record<string, string>)[method] ?? method;
}

export const ID_TYPE_LABELS: Record<IdType, string> = {
  RESIDENT_ID: '居民身份证',
  HK_MACAO_PERMIT: '港澳居民来往内地通行证',
  TAIWAN_PERMIT: '台湾居民来往大陆通行证',
  PASSPORT: '护照',
  FOREIGN_PERMANENT_RESIDENT_ID: '外国人永久居留身份证',
};

/** Ratings 1–5 (DESIGN §5); 1 and 2 are 差评 and need a tag and a comment. */
export const RATING_LABELS: Record<number, string> = {
  5: '非常满意',
  4: '满意',
  3: '基本满意',
  2: '不满意',
  1: '非常不满意',
};

export function isBadRating(rating: number): boolean {
  return rating <= 2;
}

/** Reason tags offered for a bad review (the API takes any short text). */
export const BAD_REVIEW_TAGS = ['办理超时', '态度不好', '材料要求不清', '多次跑动', '寄递延误', '结果有误'];

export const STAGE_LABELS: Record<string, string> = {
  receiving: '收件窗口（异地收件）',
  handling: '办理部门（属地办理）',
};

export const CITY_NAMES: Record<string, string> = {
  '440000': '广东省',
  '440300': '深圳市',
  '441900': '东莞市',
  '440400': '珠海市',
};

export function cityName(code: string | null | undefined): string {
  if (!code) return '—';
  return CITY_NAMES[code] ?? code;
}

/** Parcel tracking events (DESIGN §4). */
export const PARCEL_EVENT_LABELS: Record<string, string> = {
  CREATED: '已下单',
  PICKED_UP: '已揽收',
  IN_TRANSIT: '运输中',
  DELIVERED: '已签收',
  EXCEPTION: '异常',
  RETURNED_TO_SENDER: '已退回寄件方',
  LOST: '丢失',
};

export function parcelEventLabel(event: string): string {
  return PARCEL_EVENT_LABELS[event] ?? event;
}

const PARCEL_KIND_LABELS: Record<string, string> = {
  MATERIALS: '材料寄递',
  RESULT: '结果寄递',
};

export function parcelKindLabel(kind: string): string {
  return PARCEL_KIND_LABELS[kind.toUpperCase()] ?? kind;
}

export const ROLE_LABELS: Record<Role, string> = {
  citizen: '群众',
  staff: '窗口工作人员',
  supervisor: '监督人员',
  admin: '管理员',
};

/** Material names are the matter catalogue's own Chinese names; core ones are 必要, the rest 可容缺. */
export function materialKindLabel(core: boolean): string {
  return core ? '必要' : '可容缺';
}

export const RONGQUE_EXPLAINED =
  '容缺受理：非必要材料暂时缺少时，窗口可先收件，您书面承诺在期限内（一般为 5 个工作日）补齐；逾期未补齐的，办件终止。必要材料缺少时无法收件。';

/** Rectification tickets (差评工单, DESIGN §5). */
export const TICKET_STATUS_LABELS: Record<string, string> = {
  OPEN: '待核实',
  VERIFIED: '已核实（待整改）',
  EXPLAINED: '已解释说明',
  RECTIFIED: '已整改（待回访）',
  CLOSED: '已办结',
};

export function ticketStatusLabel(status: string | null | undefined): string {
  return status ? (TICKET_STATUS_LABELS[status] ?? status) : '—';
}

export const TICKET_ACTION_LABELS: Record<string, string> = {
  open: '生成工单',
  verify: '核实',
  rectify: '整改',
  feedback: '回访',
  appeal: '申诉',
  appeal_decision: '申诉复核',
  escalate: '超时升级',
};

export const APPEAL_STATUS_LABELS: Record<string, string> = {
  NONE: '未申诉',
  PENDING: '申诉待复核',
  UPHELD: '申诉成立（不计入统计）',
  REJECTED: '申诉驳回',
};

/** Case actions as buttons and timeline entries (DESIGN §3). */
export const CASE_ACTION_LABELS: Record<string, string> = {
  sign: '签收材料',
  return: '退回补正',
  decide: '作出决定',
  ship_result: '寄出结果',
  pickup: '领取交接',
  reship: '重新寄递',
  supplement: '补正材料',
  read_licences: '读取电子证照',
  check_rule: '秒批核验',
  issue_result: '发放电子证照',
};

/** 秒批: how an approval rule's check came out (the case's rule_check.outcome). */
export const RULE_OUTCOME_LABELS: Record<string, string> = {
  approved: '规则核验通过，系统自动准予（秒批）',
  no_match: '规则核验未通过，转人工审批',
  inputs_unavailable: '核验数据暂时无法读取，转人工审批',
};
