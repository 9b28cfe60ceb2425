import { createBrowserRouter, Navigate } from 'react-router';
import { RequireAdmin, RequireAuth } from './auth/guards';
import { AboutPage } from './pages/about/AboutPage';
import { AuditPage } from './pages/admin-audit/AuditPage';
import { AuthenticationPage } from './pages/admin-authentication/AuthenticationPage';
import { UsersPage } from './pages/admin-users/UsersPage';
import { ChangePasswordPage } from './pages/change-password/ChangePasswordPage';
import { HomePage } from './pages/home/HomePage';
import { LoginPage } from './pages/login/LoginPage';
import { NotFoundPage } from './pages/not-found/NotFoundPage';
import { ProfilePage } from './pages/profile/ProfilePage';
import { AppLayout } from './shell/AppLayout';

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
          { path: '/', element: <HomePage /> },
          { path: '/profile', element: <ProfilePage /> },
          {
            element: <RequireAdmin />,
            children: [
              { path: '/admin', element: <Navigate to="/admin/users" replace /> },
              { path: '/admin/users', element: <UsersPage /> },
              { path: '/admin/authentication', element: <AuthenticationPage /> },
              { path: '/admin/audit', element: <AuditPage /> },
            ],
          },
        ],
      },
    ],
  },
]);
