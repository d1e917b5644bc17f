/**
 * The side menu of each role. Staff of an office are both its receiving window and its handling office:
 * the handling pages (issue 11) add their entries to STAFF_MENU; supervisors get theirs in SUPERVISOR_MENU.
 */
import {
  AuditOutlined, BarChartOutlined, ClusterOutlined, ContainerOutlined, FileAddOutlined, FileSearchOutlined,
  GoldOutlined, InboxOutlined, LinkOutlined, ProfileOutlined, SafetyOutlined, WarningOutlined,
} from '@ant-design/icons';
import type { ReactNode } from 'react';
import type { Role } from '@/lib/labels';

export interface MenuEntry {
  path: string;
  label: string;
  icon?: ReactNode;
  /** Shown to the provincial level (city 440000) only. */
  provincialOnly?: boolean;
}

export const CITIZEN_MENU: MenuEntry[] = [
  { path: '/citizen/cases', label: '我的办件', icon: <ProfileOutlined /> },
  { path: '/citizen/apply', label: '申请办理', icon: <FileAddOutlined /> },
  { path: '/citizen/claim', label: '认领窗口办件', icon: <LinkOutlined /> },
  { path: '/track', label: '办件查询', icon: <FileSearchOutlined /> },
];

export const STAFF_MENU: MenuEntry[] = [
  { path: '/window/queue', label: '收件工作台', icon: <InboxOutlined /> },
  { path: '/window/walk-in', label: '窗口代录', icon: <FileAddOutlined /> },
  { path: '/handling/inbox', label: '办理工作台', icon: <ContainerOutlined /> },
  { path: '/handling/parcels', label: '合包交接', icon: <GoldOutlined /> },
  { path: '/handling/tickets', label: '差评工单（本单位）', icon: <WarningOutlined /> },
];

export const SUPERVISOR_MENU: MenuEntry[] = [
  { path: '/supervisor', label: '差评工单', icon: <AuditOutlined /> },
  { path: '/supervisor/dashboard', label: '统计分析', icon: <BarChartOutlined /> },
  { path: '/supervisor/overview', label: '城市概览', icon: <ClusterOutlined /> },
  { path: '/supervisor/access-log', label: '查阅记录', icon: <SafetyOutlined />, provincialOnly: true },
];

export const MENUS: Record<Role, MenuEntry[]> = {
  citizen: CITIZEN_MENU,
  staff: STAFF_MENU,
  supervisor: SUPERVISOR_MENU,
  admin: [],
};
