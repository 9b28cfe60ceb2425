import { Group, Kbd, Modal, Stack, Text, TextInput, UnstyledButton } from '@mantine/core';
import { useHotkeys } from '@mantine/hooks';
import { type KeyboardEvent, useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { useMe } from '../auth/useMe';
import { formatMoney } from '../money/format';
import { useBills } from '../pages/bills/useBills';

const OPEN_EVENT = 'billtracker:open-quick-finder';

/** Opens the quick finder from anywhere, like Ctrl+K does. */
export function openQuickFinder() {
  window.dispatchEvent(new Event(OPEN_EVENT));
}

/**
 * Ctrl+K (⌘K on a Mac): find any bill by name and jump to it. Mounted once in the app's
 * frame; it does nothing for someone who is not signed in.
 */
export function QuickFinder() {
  const me = useMe();
  const [opened, setOpened] = useState(false);
  const signedIn = !!me.data;

  useHotkeys([['mod+K', () => signedIn && setOpened(true)]], []);
  useEffect(() => {
    const open = () => setOpened(true);
    window.addEventListener(OPEN_EVENT, open);
    return () => window.removeEventListener(OPEN_EVENT, open);
  }, []);

  if (!signedIn) {
    return null;
  }
  return (
    <Modal
      opened={opened}
      onClose={() => setOpened(false)}
      title="Find a bill"
      yOffset="10vh"
      size="md"
    >
      {opened && <Finder onDone={() => setOpened(false)} />}
    </Modal>
  );
}

const SHOWN = 8;

function Finder({ onDone }: { onDone: () => void }) {
  const navigate = useNavigate();
  const bills = useBills();
  const [text, setText] = useState('');
  const [active, setActive] = useState(0);

  const needle = text.trim().toLowerCase();
  const matches = (bills.data ?? [])
    .filter((bill) => bill.name.toLowerCase().includes(needle))
    .slice(0, SHOWN);
  const selected = Math.min(active, Math.max(matches.length - 1, 0));

  const go = (id: number) => {
    onDone();
    void navigate(`/bills/${id}`);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      setActive((selected + 1) % Math.max(matches.length, 1));
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      setActive((selected - 1 + matches.length) % Math.max(matches.length, 1));
    } else if (event.key === 'Enter' && matches[selected]) {
      event.preventDefault();
      go(matches[selected].id);
    }
  };

  return (
    <Stack gap="xs">
      <TextInput
        aria-label="Bill name"
        placeholder="Type a bill's name"
        data-autofocus
        value={text}
        onChange={(event) => {
          setText(event.currentTarget.value);
          setActive(0);
        }}
        onKeyDown={onKeyDown}
        role="combobox"
        aria-expanded={matches.length > 0}
        aria-controls="quick-finder-results"
        aria-activedescendant={
          matches[selected] ? `quick-finder-${matches[selected].id}` : undefined
        }
        aria-autocomplete="list"
      />
      <Stack gap={2} role="listbox" id="quick-finder-results" aria-label="Bills">
        {matches.map((bill, index) => (
          <UnstyledButton
            key={bill.id}
            id={`quick-finder-${bill.id}`}
            role="option"
            aria-selected={index === selected}
            tabIndex={-1}
            onClick={() => go(bill.id)}
            onMouseEnter={() => setActive(index)}
            px="sm"
            py={6}
            style={{
              borderRadius: 'var(--mantine-radius-sm)',
              background: index === selected ? 'var(--mantine-color-default-hover)' : 'transparent',
            }}
          >
            <Group justify="space-between" wrap="nowrap">
              <Text size="sm" fw={index === selected ? 600 : 400} truncate>
                {bill.name}
              </Text>
              <Text size="xs" c="dimmed">
                {formatMoney(bill.amount_cents)}
              </Text>
            </Group>
          </UnstyledButton>
        ))}
        {bills.data && matches.length === 0 && (
          <Text size="sm" c="dimmed" px="sm">
            {bills.data.length === 0 ? 'You have no bills yet.' : 'No bill has that name.'}
          </Text>
        )}
      </Stack>
      <Text size="xs" c="dimmed">
        <Kbd size="xs">↑</Kbd> <Kbd size="xs">↓</Kbd> to choose, <Kbd size="xs">Enter</Kbd> to open
      </Text>
    </Stack>
  );
}
