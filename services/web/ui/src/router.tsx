import { createBrowserRouter, Navigate } from 'react-router';
import { RequireAdmin, RequireAuth } from './auth/guards';
import { AboutPage } from './pages/about/AboutPage';
import { AuditPage } from './pages/admin-audit/AuditPage';
import { AuthenticationPage } from './pages/admin-authentication/AuthenticationPage';
import { UsersPage } from './pages/admin-users/UsersPage';
import { ChangePasswordPage } from './pages/change-password/ChangePasswordPage';
import { LoginPage } from './pages/login/LoginPage';
import { NotFoundPage } from './pages/not-found/NotFoundPage';
import { ProfilePage } from './pages/profile/ProfilePage';
import { AppLayout } from './shell/AppLayout';
import { BackupsPage } from './pages/admin-backups/BackupsPage';
import { CleanupPage } from './pages/admin-cleanup/CleanupPage';
import { StatusPage } from './pages/admin-status/StatusPage';
import { CalendarPage } from './pages/calendar/CalendarPage';
import { CalendarFeedsPage } from './pages/settings-calendar/CalendarFeedsPage';
import { SummaryPage } from './pages/summary/SummaryPage';
import { BillPage } from './pages/bills/BillPage';
import { BillsPage } from './pages/bills/BillsPage';
import { CategoriesPage } from './pages/categories/CategoriesPage';
import { TrackerPage } from './pages/tracker/TrackerPage';

export const router = createBrowserRouter([
  { path: '/login', element: <LoginPage /> },
  { path: '/change-password', element: <ChangePasswordPage /> },
  {
    element: <AppLayout />,
    children: [
      // Public: what is running, and a friendly page for unknown addresses.
      { path: '/about', element: <AboutPage /> },
      { path: '*', element: <NotFoundPage /> },
      {
        element: <RequireAuth />,
        children: [
          { path: '/', element: <TrackerPage /> },
          { path: '/bills', element: <BillsPage /> },
          { path: '/bills/:id', element: <BillPage /> },
          { path: '/categories', element: <CategoriesPage /> },
          { path: '/profile', element: <ProfilePage /> },
          { path: '/summary', element: <SummaryPage /> },
          { path: '/calendar', element: <CalendarPage /> },
          { path: '/settings/calendar', element: <CalendarFeedsPage /> },
          {
            element: <RequireAdmin />,
            children: [
              { path: '/admin', element: <Navigate to="/admin/users" replace /> },
              { path: '/admin/users', element: <UsersPage /> },
              { path: '/admin/authentication', element: <AuthenticationPage /> },
              { path: '/admin/audit', element: <AuditPage /> },
              { path: '/admin/status', element: <StatusPage /> },
              { path: '/admin/backups', element: <BackupsPage /> },
              { path: '/admin/cleanup', element: <CleanupPage /> },
            ],
          },
        ],
      },
    ],
  },
]);
