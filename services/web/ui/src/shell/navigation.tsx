import type { ReactNode } from 'react';
import { IconHome, IconInfo, IconKey, IconList, IconUsers } from '../components/icons';

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
];
