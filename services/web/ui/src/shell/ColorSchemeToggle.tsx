import { ActionIcon, Menu, type MantineColorScheme, useMantineColorScheme } from '@mantine/core';
import type { ReactNode } from 'react';
import { IconAuto, IconMoon, IconSun } from '../components/icons';

const choices: { value: MantineColorScheme; label: string; icon: ReactNode }[] = [
  { value: 'light', label: 'Light', icon: <IconSun /> },
  { value: 'dark', label: 'Dark', icon: <IconMoon /> },
  { value: 'auto', label: 'Auto', icon: <IconAuto /> },
];

/** Lets the reader pick light, dark or the system's scheme; Mantine remembers the choice. */
export function ColorSchemeToggle() {
  const { colorScheme, setColorScheme } = useMantineColorScheme();
  const current = choices.find((choice) => choice.value === colorScheme) ?? choices[2];

  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <ActionIcon
          variant="default"
          size="lg"
          aria-label={`Color scheme: ${current.label}`}
          title="Color scheme"
        >
          {current.icon}
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>Color scheme</Menu.Label>
        {choices.map((choice) => (
          <Menu.Item
            key={choice.value}
            leftSection={choice.icon}
            onClick={() => setColorScheme(choice.value)}
            aria-current={choice.value === colorScheme ? 'true' : undefined}
            fw={choice.value === colorScheme ? 700 : undefined}
          >
            {choice.label}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}
