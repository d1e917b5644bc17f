import { describe, expect, it } from 'vitest';
import { missingMaterials, stepOfField, toRequest } from './model';

const matter = {
  matter_id: 'DG-HUKOU-MOVE', name: '户口迁移', handling_city: '441900', accepted_in: ['440300'],
  materials: [{ name: '身份证', core: true }, { name: '照片', core: false }], time_limit_working_days: 10,
  electronic: false, deliveries: ['MAIL', 'PICKUP_RECEIVING'],
};

describe('apply wizard model', () => {
  it('sends every material with whether it is provided, and the address only for MAIL', () => {
    const body = toRequest({
      receiving_office_id: 'SZ-GOV',
      applicant: { name: ' 张三 ', id_type: 'RESIDENT_ID', id_number: '11010519491231002x', phone: '13800138000' },
      provided: { 身份证: true },
      delivery: { method: 'PICKUP_RECEIVING', address: { city: '440300', detail: 'x', recipient: 'y', phone: '13800138000' } },
    }, matter);
    expect(body.applicant).toEqual({ name: '张三', id_type: 'RESIDENT_ID', id_number: '11010519491231002X', phone: '13800138000' });
    expect(body.materials).toEqual([{ name: '身份证', provided: true }, { name: '照片', provided: false }]);
    expect(body.delivery).toEqual({ method: 'PICKUP_RECEIVING' });
  });

  it('tells core from 容缺 materials that are missing', () => {
    expect(missingMaterials(matter, { 身份证: true })).toEqual({ core: [], nonCore: ['照片'] });
    expect(missingMaterials(matter, {})).toEqual({ core: ['身份证'], nonCore: ['照片'] });
  });

  it('sends the 授权 only for licence materials ticked, and no lookup without it', () => {
    const si = {
      ...matter, matter_id: 'DG-SI-CERT',
      materials: [{ name: '身份证', core: true, licence: '身份证' }, { name: '申请表', core: true, online: true }],
      approval_rule: { rule_id: 'DG-SI-CONTRIB', version: 1, description: '秒批' },
    };
    const base = { receiving_office_id: 'SZ-GOV', provided: { 申请表: true }, delivery: { method: 'ELECTRONIC' as const } };
    expect(toRequest({ ...base, licences: { 身份证: true }, records: true }, si).licence_authorization)
      .toEqual({ materials: ['身份证'], records: true });
    expect(toRequest(base, si).licence_authorization).toBeUndefined();
    expect(missingMaterials(si, { 申请表: true }, { 身份证: true })).toEqual({ core: [], nonCore: [] });
    expect(stepOfField('licence_authorization.materials[0]')).toBe(3);
  });

  it('finds the step of a field the API names', () => {
    expect(stepOfField('applicant.id_number')).toBe(2);
    expect(stepOfField('delivery.address.city')).toBe(4);
    expect(stepOfField('something_else')).toBe(5);
  });
});
