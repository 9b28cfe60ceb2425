import type { ReactNode } from 'react';
import { IconReceipt, IconTag } from '../components/icons';
import { IconHome, IconInfo, IconKey, IconList, IconUsers } from '../components/icons';
import { IconBroom, IconCalendar, IconChartPie, IconDatabase } from '../components/icons';
import { IconPulse, IconRss } from '../components/icons';

export interface NavItem {
  label: string;
  path: string;
  icon?: ReactNode;
  /** Items with the same group are shown together under that heading, e.g. "Admin". */
  group?: string;
  /** Who sees the link: everyone, signed-in users (the default), or admins only. */
  access?: 'public' | 'user' | 'admin';
}

/** Every link of the navbar, in the order shown. A new page adds one line here. */
export const navigation: NavItem[] = [
  { label: 'Home', path: '/', icon: <IconHome /> },
  { label: 'Bills', path: '/bills', icon: <IconReceipt /> },
  { label: 'Categories', path: '/categories', icon: <IconTag /> },
  { label: 'Summary', path: '/summary', icon: <IconChartPie /> },
  { label: 'Calendar', path: '/calendar', icon: <IconCalendar /> },
  { label: 'Calendar feeds', path: '/settings/calendar', icon: <IconRss />, group: 'Settings' },
  { label: 'About', path: '/about', icon: <IconInfo />, access: 'public' },
  { label: 'Users', path: '/admin/users', icon: <IconUsers />, group: 'Admin', access: 'admin' },
  {
    label: 'Authentication',
    path: '/admin/authentication',
    icon: <IconKey />,
    group: 'Admin',
    access: 'admin',
  },
  { label: 'Audit log', path: '/admin/audit', icon: <IconList />, group: 'Admin', access: 'admin' },
  { label: 'Status', path: '/admin/status', icon: <IconPulse />, group: 'Admin', access: 'admin' },
  {
    label: 'Backups',
    path: '/admin/backups',
    icon: <IconDatabase />,
    group: 'Admin',
    access: 'admin',
  },
  {
    label: 'Cleanup',
    path: '/admin/cleanup',
    icon: <IconBroom />,
    group: 'Admin',
    access: 'admin',
  },
];
