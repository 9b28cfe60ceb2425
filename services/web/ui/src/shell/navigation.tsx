import type { ReactNode } from 'react';
import { IconHome, IconInfo } from '../components/icons';

export interface NavItem {
  label: string;
  path: string;
  icon?: ReactNode;
  /** Items with the same group are shown together under that heading, e.g. "Admin". */
  group?: string;
}

/** Every link of the navbar, in the order shown. A new page adds one line here. */
export const navigation: NavItem[] = [
  { label: 'Home', path: '/', icon: <IconHome /> },
  { label: 'About', path: '/about', icon: <IconInfo /> },
];
