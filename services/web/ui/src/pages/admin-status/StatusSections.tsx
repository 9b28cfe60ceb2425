import { Badge, Code, Group, Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import type { StatusReport } from '../../api/types';
import { formatBytes, formatDateTime, formatDuration } from '../../format';
import { Facts, StatusCard } from './Facts';
import { SERVICE_LABELS, STATE_COLORS, STATE_HINTS, STATE_LABELS } from './labels';

const none = (
  <Text span size="sm" c="dimmed">
    —
  </Text>
);

/**
 * A timestamp from the report. Zoned times carry the zone's name after the offset
 * (`2026-12-04T06:00:00+00:00[Etc/UTC]`), which the browser's date parser does not read.
 */
const when = (timestamp: string | null | undefined) =>
  timestamp ? formatDateTime(timestamp.replace(/\[[^\]]*\]$/, '')) : none;

/** The server writes its notes in lower case, for logs; the page starts them upper case. */
const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function Ok({ ok, yes = 'OK', no = 'Failed' }: { ok: boolean; yes?: string; no?: string }) {
  return (
    <Badge color={ok ? 'teal' : 'red'} variant="light">
      {ok ? yes : no}
    </Badge>
  );
}

export function ApplicationCard({ report }: { report: StatusReport }) {
  const { application, schema } = report;
  return (
    <StatusCard title="Application">
      <Facts
        label="Application"
        rows={[
          [
            'Version',
            application.commit
              ? `${application.version} (${application.commit})`
              : application.version,
          ],
          ['Environment', application.environment],
          [
            'Web uptime',
            application.web_uptime_secs === null || application.web_uptime_secs === undefined
              ? none
              : formatDuration(application.web_uptime_secs),
          ],
          ['Time zone', application.time_zone],
          [
            'Encryption key',
            application.encryption_key_source === 'environment'
              ? 'From TOKEN_ENCRYPTION_KEY'
              : 'Key file in the data directory (back it up too)',
          ],
          [
            'Schema',
            <Group gap="xs" key="schema">
              <Text span size="sm">
                database {schema.database}, this release {schema.binary}
              </Text>
              <Ok ok={schema.database === schema.binary} yes="current" no="differs" />
            </Group>,
          ],
        ]}
      />
    </StatusCard>
  );
}

export function ServicesCard({ report }: { report: StatusReport }) {
  return (
    <StatusCard title="Services">
      <Table.ScrollContainer minWidth={560} type="native">
        <Table aria-label="Services" striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Service</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th>Version</Table.Th>
              <Table.Th>Started</Table.Th>
              <Table.Th>Last seen</Table.Th>
              <Table.Th>Current job</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {report.services.map((service) => (
              <Table.Tr key={service.service}>
                <Table.Th scope="row">{SERVICE_LABELS[service.service]}</Table.Th>
                <Table.Td>
                  <Badge
                    color={STATE_COLORS[service.state]}
                    variant="light"
                    title={STATE_HINTS[service.state]}
                  >
                    {STATE_LABELS[service.state]}
                  </Badge>
                  {service.instances_up > 1 && (
                    <Text size="xs" c="dimmed">
                      {service.instances_up} processes
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>{service.version ?? none}</Table.Td>
                <Table.Td>{when(service.started_at)}</Table.Td>
                <Table.Td>
                  {when(service.last_seen_at)}
                  {service.stopped_at && (
                    <Text size="xs" c="dimmed">
                      stopped {formatDateTime(service.stopped_at)}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  {service.current_job ??
                    (service.state === 'down' ? (
                      none
                    ) : (
                      <Text span size="sm" c="dimmed">
                        idle
                      </Text>
                    ))}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </StatusCard>
  );
}

export function DatabaseCard({ report }: { report: StatusReport }) {
  const { database } = report;
  const check = report.last_integrity_check;
  return (
    <StatusCard title="Database">
      <Facts
        label="Database"
        rows={[
          [
            'Reachable',
            database.error ? (
              <Group gap="xs" key="reachable">
                <Ok ok={database.reachable} yes="Yes" no="No" />
                <Text span size="sm" c="red">
                  {database.error}
                </Text>
              </Group>
            ) : (
              <Ok key="reachable" ok={database.reachable} yes="Yes" no="No" />
            ),
          ],
          ['Schema version', String(database.schema_version)],
          ['Size', formatBytes(database.size_bytes)],
          ['Write-ahead log', formatBytes(database.wal_bytes)],
          [
            'Last integrity check',
            check ? (
              <Group gap="xs" key="check">
                <Ok ok={check.ok} />
                <Text span size="sm">
                  {formatDateTime(check.checked_at)} by {check.service}, {check.duration_ms} ms
                </Text>
                {!check.ok && <Code block>{check.result}</Code>}
              </Group>
            ) : (
              'Not run yet'
            ),
          ],
        ]}
      />
    </StatusCard>
  );
}

export function QueuesCard({ report }: { report: StatusReport }) {
  return (
    <StatusCard title="Queues">
      {report.queues.length === 0 ? (
        <Text c="dimmed">No queues yet.</Text>
      ) : (
        <Table.ScrollContainer minWidth={480} type="native">
          <Table aria-label="Queues" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Queue</Table.Th>
                <Table.Th ta="right">Waiting</Table.Th>
                <Table.Th ta="right">Running</Table.Th>
                <Table.Th ta="right">Failed</Table.Th>
                <Table.Th ta="right">Done</Table.Th>
                <Table.Th>Oldest waiting</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {report.queues.map((queue) => (
                <Table.Tr key={queue.queue}>
                  <Table.Th scope="row">{queue.queue}</Table.Th>
                  <Table.Td ta="right">{queue.pending}</Table.Td>
                  <Table.Td ta="right">{queue.running}</Table.Td>
                  <Table.Td ta="right" c={queue.failed > 0 ? 'red' : undefined}>
                    {queue.failed}
                  </Table.Td>
                  <Table.Td ta="right">{queue.done}</Table.Td>
                  <Table.Td>
                    {queue.oldest_pending_secs === null || queue.oldest_pending_secs === undefined
                      ? none
                      : formatDuration(queue.oldest_pending_secs)}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </StatusCard>
  );
}

export function StatisticsCard({ report }: { report: StatusReport }) {
  const { statistics, tracker } = report;
  return (
    <StatusCard title="Statistics">
      <Facts
        label="Statistics"
        rows={[
          ['Users', String(statistics.users)],
          ['Active sessions', String(statistics.active_sessions)],
          ['Active bills', String(statistics.active_bills)],
          ['Payments this month', String(statistics.payments_this_month)],
          ["This month's bills", String(tracker.occurrences)],
          ['Paid', String(tracker.paid)],
          ['Overdue', String(tracker.overdue)],
          ['Skipped', String(tracker.skipped)],
        ]}
      />
    </StatusCard>
  );
}

export function DailyRunCard({ report }: { report: StatusReport }) {
  const last = report.daily_run.last;
  return (
    <StatusCard title="Daily run">
      <Facts
        label="Daily run"
        rows={[
          [
            'Last run',
            last ? `${formatDateTime(last.started_at)} (for ${last.day})` : 'Not run yet',
          ],
          ...(last
            ? ([
                [
                  'Result',
                  last.error ? (
                    <Text key="error" c="red" size="sm">
                      {last.error}
                    </Text>
                  ) : last.finished_at ? (
                    <Ok key="ok" ok />
                  ) : (
                    'Running'
                  ),
                ],
                [
                  'Duration',
                  last.duration_ms === null || last.duration_ms === undefined
                    ? none
                    : `${last.duration_ms} ms`,
                ],
                ['Autopay payments', String(last.autopay_payments ?? 0)],
                ['Reminders queued', String(last.reminders_queued ?? 0)],
                ['Sessions pruned', String(last.sessions_pruned ?? 0)],
              ] as [string, ReactNode][])
            : []),
          ['Next run', when(report.daily_run.next_at)],
        ]}
      />
    </StatusCard>
  );
}

export function NotConfiguredCard({
  title,
  area,
}: {
  title: string;
  area: StatusReport['bank_sync'];
}) {
  return (
    <StatusCard title={title}>
      {area.configured ? (
        <Text size="sm">{sentence(area.note)}</Text>
      ) : (
        <Group gap="xs">
          <Badge color="gray" variant="light">
            Not configured
          </Badge>
          <Text size="sm" c="dimmed">
            {sentence(area.note)}
          </Text>
        </Group>
      )}
    </StatusCard>
  );
}

export function BackupsCard({ report }: { report: StatusReport }) {
  const { backups } = report;
  return (
    <StatusCard title="Backups">
      <Facts
        label="Backups"
        rows={[
          [
            'Count',
            backups.error ? (
              <Text key="count" size="sm" c="red">
                Unknown: the backups folder cannot be read ({backups.error})
              </Text>
            ) : (
              String(backups.count)
            ),
          ],
          [
            'Newest',
            backups.newest ? (
              <Text key="newest" size="sm">
                {formatDateTime(backups.newest.created_at)} ({backups.newest.kind},{' '}
                {formatBytes(backups.newest.size_bytes)})
              </Text>
            ) : (
              'None yet'
            ),
          ],
          ['Total size', formatBytes(backups.total_bytes)],
          ['Schedule', `Daily at ${backups.schedule}`],
          ['Retention', `${backups.retention} scheduled backups`],
          [
            'Last error',
            backups.last_error ? (
              <Text key="error" size="sm" c="red">
                {formatDateTime(backups.last_error.at)}: {backups.last_error.message}
              </Text>
            ) : (
              'None'
            ),
          ],
        ]}
      />
    </StatusCard>
  );
}

export function CleanupCard({ report }: { report: StatusReport }) {
  const run = report.cleanup;
  return (
    <StatusCard title="Cleanup">
      {run ? (
        <Facts
          label="Cleanup"
          rows={[
            ['Last run', `${formatDateTime(run.at)} (${run.trigger})`],
            ...run.results.map((result): [string, string] => [
              result.label,
              result.bytes > 0
                ? `${result.count} removed, ${result.bytes_estimated ? 'about ' : ''}${formatBytes(result.bytes)}`
                : `${result.count} removed`,
            ]),
          ]}
        />
      ) : (
        <Text c="dimmed">No cleanup has run yet.</Text>
      )}
    </StatusCard>
  );
}

export function RecentErrorsCard({ report }: { report: StatusReport }) {
  return (
    <StatusCard title="Recent errors">
      {report.recent_errors.length === 0 ? (
        <Text c="dimmed">No errors recorded.</Text>
      ) : (
        <Table.ScrollContainer minWidth={480} type="native">
          <Table aria-label="Recent errors" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Time</Table.Th>
                <Table.Th>Service</Table.Th>
                <Table.Th>Message</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {report.recent_errors.map((error, index) => (
                <Table.Tr key={`${index}-${error.at}`}>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(error.at)}</Table.Td>
                  <Table.Td>{error.service}</Table.Td>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>{error.message}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </StatusCard>
  );
}
