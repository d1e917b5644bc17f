/** The apply wizard's answers, its steps, and the body of POST /cases made from them. */
import type { components } from '@/lib/api/schema';
import type { Matter } from '@/hooks/useReference';
import type { DeliveryMethod, IdType } from '@/lib/labels';

export type ApplyRequest = components['schemas']['apply_request'];

export interface Answers {
  matter_id?: string;
  receiving_office_id?: string;
  applicant?: { name?: string; id_type?: IdType; id_number?: string; phone?: string };
  /** material name → provided */
  provided?: Record<string, boolean>;
  /** 授权: material name → read from the licence library (电子证照) instead of paper */
  licences?: Record<string, boolean>;
  /** 授权: the matter's approval rule (秒批) may read its records */
  records?: boolean;
  commitment?: boolean;
  delivery?: {
    method?: DeliveryMethod;
    address?: { city?: string; detail?: string; recipient?: string; phone?: string };
  };
}

export const STEPS = [
  { key: 'matter', title: '选择事项' },
  { key: 'window', title: '收件窗口' },
  { key: 'identity', title: '申请人' },
  { key: 'materials', title: '材料' },
  { key: 'delivery', title: '结果送达' },
  { key: 'check', title: '核对提交' },
] as const;

/** Which step asks for a field the API names (`applicant.id_number` → the identity step). */
export function stepOfField(field: string): number {
  const head = field.split('.')[0] ?? '';
  const index = { matter_id: 0, receiving_office_id: 1, applicant: 2, materials: 3, licence_authorization: 3,
    delivery: 4 }[head];
  return index ?? STEPS.length - 1;
}

export function missingMaterials(matter: Matter, provided: Record<string, boolean> | undefined,
  licences?: Record<string, boolean>) {
  const lacking = matter.materials.filter((m) => !provided?.[m.name] && !(m.licence && licences?.[m.name]));
  return { core: lacking.filter((m) => m.core).map((m) => m.name), nonCore: lacking.filter((m) => !m.core).map((m) => m.name) };
}

export function toRequest(answers: Answers, matter: Matter): ApplyRequest {
  const a = answers.applicant ?? {};
  const authorized = matter.materials.filter((m) => m.licence && answers.licences?.[m.name]).map((m) => m.name);
  const records = Boolean(matter.approval_rule && answers.records);
  const method = answers.delivery?.method ?? 'PICKUP_RECEIVING';
  const address = answers.delivery?.address;
  return {
    matter_id: matter.matter_id,
    receiving_office_id: answers.receiving_office_id ?? '',
    applicant: {
      name: (a.name ?? '').trim(),
      id_type: a.id_type ?? 'RESIDENT_ID',
      id_number: (a.id_number ?? '').trim().toUpperCase(),
      phone: (a.phone ?? '').trim(),
    },
    materials: matter.materials.map((m) => ({ name: m.name, provided: Boolean(answers.provided?.[m.name]) })),
    ...(authorized.length || records ? { licence_authorization: { materials: authorized, records } } : {}),
    delivery:
      method === 'MAIL' && address
        ? {
            method,
            address: {
              city: address.city ?? '',
              detail: (address.detail ?? '').trim(),
              recipient: (address.recipient ?? '').trim(),
              phone: (address.phone ?? '').trim(),
            },
          }
        : { method },
  };
}
