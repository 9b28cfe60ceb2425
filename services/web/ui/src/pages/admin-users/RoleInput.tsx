import { Group, Radio } from '@mantine/core';
import type { ReactNode } from 'react';
import type { Role } from '../../api/types';

interface RoleInputProps {
  value: Role;
  onChange: (role: Role) => void;
  description?: string;
  error?: ReactNode;
}

/** User or Admin, as two radio buttons. */
export function RoleInput({ value, onChange, description, error }: RoleInputProps) {
  return (
    <Radio.Group
      label="Role"
      description={description}
      error={error}
      value={value}
      onChange={(role) => onChange(role === 'admin' ? 'admin' : 'user')}
    >
      <Group gap="lg" mt="xs">
        <Radio value="user" label="User" />
        <Radio value="admin" label="Admin" />
      </Group>
    </Radio.Group>
  );
}
