import { Alert, Badge, Button, Card, Code, Group, Modal, SimpleGrid, Stack, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { Figure } from '../../components/analytics-charts';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { Page } from '../../components/page';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { formatAmount, formatPrice } from '../marketplace/queries';
import { latestVersion, ListingForm } from './listing-form';
import { ProviderTraffic } from './provider-traffic';
import { useApply, useListingStats, useProviderListings, useProviderStatus, useReinstateListing, useWithdrawListing, type ProviderListing } from './queries';

/**
 * The provider's view of the marketplace (docs/marketplace.md, "Web pages"): apply for the role;
 * once approved, submit http or npm listings and new versions of them, follow each version through
 * review, and see the figures and the traffic of the live ones.
 */
export default function ProviderPage() {
  const status = useProviderStatus();
  return (
    <Page title="Provide services" lead="Offer your MCP server on the marketplace. Every listing and version is reviewed by an administrator before users can install it.">
      {status.isPending ? (
        <LoadingState label="Loading your provider status…" />
      ) : status.isError ? (
        <ErrorState title="Your provider status could not be loaded" error={status.error} onRetry={() => void status.refetch()} />
      ) : status.data?.status === 'approved' ? (
        <MyListings />
      ) : status.data?.status === 'pending' ? (
        <Alert color="blue" title="Your application is waiting for an administrator" role="status">
          You applied as <strong>{status.data.display_name}</strong> on {new Date(status.data.created_at).toLocaleDateString()}. This page shows your listings once it is approved.
        </Alert>
      ) : (
        <ApplyForm previous={status.data && (status.data.status === 'rejected' || status.data.status === 'revoked') ? status.data : null} />
      )}
    </Page>
  );
}

function ApplyForm({ previous }: { previous: { status: string; reason: string | null } | null }) {
  const apply = useApply();
  const [displayName, setDisplayName] = useState('');
  const [note, setNote] = useState('');
  const [missing, setMissing] = useState(false);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!displayName.trim()) {
      setMissing(true);
      return;
    }
    apply.mutate({ display_name: displayName.trim(), note: note.trim() });
  };
  return (
    <Card withBorder radius="md" component="form" onSubmit={submit} aria-labelledby="become-provider" maw={640}>
      <Stack>
        <Title order={2} size="h3" id="become-provider">
          Become a provider
        </Title>
        {previous && (
          <Alert color="orange" title={previous.status === 'revoked' ? 'Your provider role was revoked' : 'Your last application was refused'}>
            {previous.reason ? `The administrator's reason: ${previous.reason}` : 'No reason was given.'} You may apply again.
          </Alert>
        )}
        <TextInput
          label="Name shown to users"
          withAsterisk
          value={displayName}
          onChange={(e) => {
            setDisplayName(e.currentTarget.value);
            setMissing(false);
          }}
          error={missing ? 'Give the name users will see' : undefined}
        />
        <Textarea label="Note for the administrator (optional)" value={note} onChange={(e) => setNote(e.currentTarget.value)} autosize minRows={2} />
        {apply.isError && <ErrorState title="The application was not sent" error={apply.error} />}
        <Group>
          <Button type="submit" loading={apply.isPending}>
            Apply
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

function MyListings() {
  const listings = useProviderListings(true);
  const [submitting, setSubmitting] = useState<ProviderListing | 'new' | null>(null);
  const npmEnabled = listings.data?.npm_enabled ?? false;
  const anyLive = listings.data?.listings.some((l) => l.live_version !== null) ?? false;
  return (
    <Stack gap="lg">
      <section aria-labelledby="my-listings">
        <Group justify="space-between" mb="sm">
          <Title order={2} size="h3" id="my-listings">
            My listings
          </Title>
          <Button onClick={() => setSubmitting('new')}>Submit a listing</Button>
        </Group>
        {listings.isPending ? (
          <LoadingState label="Loading your listings…" />
        ) : listings.isError ? (
          <ErrorState title="Your listings could not be loaded" error={listings.error} onRetry={() => void listings.refetch()} />
        ) : listings.data.listings.length === 0 ? (
          <EmptyState title="No listings yet">
            Submit your MCP server's address{npmEnabled ? ' or its npm package' : ''}; the platform connects to it and an administrator reviews what it offers.
          </EmptyState>
        ) : (
          <Stack>
            {listings.data.listings.map((l) => (
              <ListingCard key={l.id} listing={l} onNewVersion={() => setSubmitting(l)} />
            ))}
          </Stack>
        )}
      </section>
      {anyLive && <ProviderTraffic />}
      <Modal
        opened={submitting !== null}
        onClose={() => setSubmitting(null)}
        title={submitting === 'new' || submitting === null ? 'Submit a listing' : `New version of ${latestVersion(submitting)?.title ?? submitting.slug}`}
        size="lg"
        centered
      >
        {submitting !== null && (
          <ListingForm target={submitting === 'new' ? { kind: 'listing', npmEnabled } : { kind: 'version', listing: submitting, npmEnabled }} onDone={() => setSubmitting(null)} />
        )}
      </Modal>
    </Stack>
  );
}

/** A reviewer's reason, ending as a sentence. */
const sentence = (text: string) => (/[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`);

const STATE_COLOR: Record<string, string> = { pending: 'yellow', approved: 'teal', rejected: 'red', superseded: 'gray' };

function ListingCard({ listing, onNewVersion }: { listing: ProviderListing; onNewVersion: () => void }) {
  const latest = latestVersion(listing);
  const waiting = latest?.state === 'pending' ? latest : undefined;
  const rejected = latest?.state === 'rejected' ? latest : undefined;
  const title = latest?.title ?? listing.slug;
  const withdrawn = listing.withdrawn;
  return (
    <Card withBorder radius="md" component="article" aria-label={latest?.title ?? listing.slug} data-provider-listing={listing.slug}>
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={3} size="h4">
            {title}
          </Title>
          <Group gap="xs">
            {withdrawn ? (
              <Badge variant="light" color="gray">
                Withdrawn
              </Badge>
            ) : listing.live_version ? (
              <Button component={Link} to={`/marketplace/${listing.slug}`} variant="subtle" size="xs">
                Live: version {listing.live_version}
              </Button>
            ) : (
              <Text size="sm" c="dimmed">
                Not live yet
              </Text>
            )}
            {!withdrawn && (
              <>
                {listing.kind === 'builder' ? (
                  // The form has no builder source: it would send an http one, which the API refuses for this listing.
                  <Text size="sm" c="dimmed" data-testid="builder-version-api">
                    New versions: <Code>POST /v1/marketplace/provider/listings/{'{id}'}/versions</Code>
                  </Text>
                ) : (
                  <Button size="xs" variant="light" onClick={onNewVersion} aria-label={`Submit a new version of ${title}`}>
                    Submit a new version
                  </Button>
                )}
                <WithdrawButton listing={listing} title={title} />
              </>
            )}
          </Group>
        </Group>
        {withdrawn && (
          <Alert color="gray" title={`Withdrawn on ${new Date(withdrawn.at).toLocaleDateString()}${withdrawn.by === 'admin' ? ' by an administrator' : ''}`} data-testid="listing-withdrawn">
            <Stack gap="xs">
              <Text size="sm">
                {withdrawn.reason ? `Reason: ${sentence(withdrawn.reason)} ` : ''}It is no longer in the marketplace and cannot be installed; users who installed it keep using it until they uninstall it.
                {withdrawn.by === 'admin' ? ' Only an administrator can put it back.' : ''}
              </Text>
              {withdrawn.by === 'provider' && (
                <Group>
                  <ReinstateButton listing={listing} title={title} />
                </Group>
              )}
            </Stack>
          </Alert>
        )}
        {!withdrawn && waiting && (
          <Alert color="yellow" title={`Version ${waiting.version} waits for review`} role="status" data-testid="version-pending">
            {listing.live_version ? `Version ${listing.live_version} stays live until an administrator approves it.` : 'It goes live when an administrator approves it.'} Another version you submit now waits beside it.
          </Alert>
        )}
        {rejected && (
          <Alert color="red" title={`Version ${rejected.version} was rejected`} data-testid="version-rejected">
            {rejected.reason ? `The administrator's reason: ${sentence(rejected.reason)}` : 'No reason was given.'} {listing.live_version ? `Version ${listing.live_version} stays live.` : ''} Submit a new version to address it.
          </Alert>
        )}
        <Table withTableBorder>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Version</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th>Price</Table.Th>
              <Table.Th>Inspection</Table.Th>
              <Table.Th>Reviewer's reason</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {listing.versions.map((v) => (
              <Table.Tr key={v.version} data-version={v.version}>
                <Table.Td>{v.version}</Table.Td>
                <Table.Td>
                  <Badge variant="light" color={STATE_COLOR[v.state]}>
                    {v.state}
                  </Badge>
                </Table.Td>
                <Table.Td>{formatPrice(v.price)}</Table.Td>
                <Table.Td>{!v.inspection ? '—' : v.inspection.ok ? `${v.inspection.tools.length} tools: ${v.inspection.tools.join(', ')}` : `failed: ${v.inspection.error ?? 'unknown error'}`}</Table.Td>
                <Table.Td>{v.reason ?? '—'}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {listing.live_version !== null && <ListingFigures id={listing.id} />}
      </Stack>
    </Card>
  );
}

/** *Reinstate* a listing the provider withdrew, after a confirmation that says what it does. */
function ReinstateButton({ listing, title }: { listing: ProviderListing; title: string }) {
  const reinstate = useReinstateListing(listing.id);
  const [confirming, setConfirming] = useState(false);
  const close = () => {
    setConfirming(false);
    reinstate.reset();
  };
  return (
    <>
      <Button size="xs" variant="light" onClick={() => setConfirming(true)} aria-label={`Reinstate ${title}`}>
        Reinstate
      </Button>
      <ConfirmDialog
        opened={confirming}
        title={`Reinstate ${title}?`}
        confirmLabel="Reinstate"
        color="blue"
        pending={reinstate.isPending}
        error={reinstate.error}
        errorTitle="Not reinstated"
        onClose={close}
        onConfirm={() => reinstate.mutate(undefined, { onSuccess: close })}
      >
        It returns to the marketplace{listing.live_version ? ` with version ${listing.live_version}, whose address the platform checks again first` : ''}: users can find and install it again
        {listing.versions.some((v) => v.state === 'pending') ? ', and the versions waiting for review go back to the queue' : ''}.
      </ConfirmDialog>
    </>
  );
}

/** *Withdraw*, after a confirmation that says what it does and how it is undone. */
function WithdrawButton({ listing, title }: { listing: ProviderListing; title: string }) {
  const withdraw = useWithdrawListing(listing.id);
  const [confirming, setConfirming] = useState(false);
  const close = () => {
    setConfirming(false);
    withdraw.reset();
  };
  return (
    <>
      <Button size="xs" variant="default" color="red" onClick={() => setConfirming(true)} aria-label={`Withdraw ${title}`}>
        Withdraw
      </Button>
      <ConfirmDialog
        opened={confirming}
        title={`Withdraw ${title}?`}
        confirmLabel="Withdraw"
        pending={withdraw.isPending}
        error={withdraw.error}
        errorTitle="Not withdrawn"
        onClose={close}
        onConfirm={() => withdraw.mutate({}, { onSuccess: close })}
      >
        It leaves the marketplace at once: nobody can find or install it any more, and it takes no new version
        {listing.versions.some((v) => v.state === 'pending') ? ' (the versions waiting for review leave the queue)' : ''}. Users who installed it keep using it
        until they uninstall it. You can reinstate it later.
      </ConfirmDialog>
    </>
  );
}

function ListingFigures({ id }: { id: string }) {
  const stats = useListingStats(id, true);
  if (stats.isPending) return <LoadingState label="Loading the figures…" />;
  if (stats.isError) return <ErrorState title="The figures could not be loaded" error={stats.error} />;
  const s = stats.data;
  const figures: Array<[string, string]> = [
    ['Installs', String(s.installs)],
    ['Calls', String(s.calls)],
    ['Errors', String(s.errors)],
    ['Revenue', s.revenue ? `${formatAmount(s.revenue.amount)} ${s.revenue.currency}` : 'Free'],
  ];
  return (
    <div data-testid="listing-figures">
      <Text size="sm" c="dimmed" mb={4}>
        {s.period.from} to {s.period.to} (no user's identity is shown)
      </Text>
      <SimpleGrid cols={{ base: 2, sm: 4 }}>
        {figures.map(([label, value]) => (
          <Figure key={label} label={label} value={value} />
        ))}
      </SimpleGrid>
    </div>
  );
}
