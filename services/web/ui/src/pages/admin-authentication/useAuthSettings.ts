import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { AuthSettings, AuthSettingsUpdate, OidcTestReport } from '../../api/types';
import { authModeQueryKey } from '../../auth/useAuthMode';

const settingsQueryKey = ['admin', 'settings', 'auth'] as const;

/** The sign-in settings: local passwords and the OpenID provider. */
export function useAuthSettings() {
  return useQuery({
    queryKey: settingsQueryKey,
    queryFn: ({ signal }) => api.get<AuthSettings>('/api/admin/settings/auth', { signal }),
  });
}

export function useSaveAuthSettings() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (update: AuthSettingsUpdate) =>
      api.put<AuthSettings>('/api/admin/settings/auth', { body: update }),
    onSuccess: async (saved) => {
      queryClient.setQueryData(settingsQueryKey, saved);
      // The sign-in page renders from the mode.
      await queryClient.invalidateQueries({ queryKey: authModeQueryKey });
    },
  });
}

/** Checks the provider with the given (possibly unsaved) settings. */
export function useTestProvider() {
  return useMutation({
    mutationFn: (settings: AuthSettingsUpdate) =>
      api.post<OidcTestReport>('/api/admin/settings/auth/oidc/test', { body: settings }),
  });
}
