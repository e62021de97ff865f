import { Alert, Badge, Button, Card, Group, List, Modal, Space, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { FilterBar, type FilterField } from '../../components/filter-bar';
import { FormActions } from '../../components/form-actions';
import { Page } from '../../components/page';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { formatPrice } from '../marketplace/queries';
import {
  useAdminListings,
  useAdminReinstate,
  useAdminWithdraw,
  useDecideProvider,
  useDecideVersion,
  usePendingProviders,
  useReinspect,
  useReviews,
  type AdminListing,
  type ListingFilter,
  type ProviderApplication,
  type ReviewItem,
  type ReviewState,
} from './queries';

const STATES: Array<{ value: ReviewState; label: string }> = [
  { value: 'pending', label: 'Waiting for review' },
  { value: 'approved', label: 'Approved (live)' },
  { value: 'rejected', label: 'Rejected' },
  { value: 'superseded', label: 'Superseded' },
];
const FILTERS: Array<FilterField<'state'>> = [{ type: 'select', name: 'state', label: 'Show', options: STATES, required: true }];
const isReviewState = (v: unknown): v is ReviewState => STATES.some((s) => s.value === v);
const LISTING_STATES: Array<{ value: ListingFilter; label: string }> = [
  { value: 'all', label: 'All listings' },
  { value: 'live', label: 'On the marketplace' },
  { value: 'withdrawn', label: 'Withdrawn' },
];
const LISTING_FILTERS: Array<FilterField<'listings'>> = [{ type: 'select', name: 'listings', label: 'Show', options: LISTING_STATES, required: true }];
const isListingFilter = (v: unknown): v is ListingFilter => LISTING_STATES.some((s) => s.value === v);

/**
 * The marketplace's admin page (docs/marketplace.md, "Review"): the versions waiting for review,
 * each with what the platform really found when it connected, approve or reject with a reason;
 * the provider applications, approve or refuse with a reason; and every listing, to withdraw (with a
 * reason) or reinstate. Every decision is audited by the API.
 */
export default function MarketplaceReviewPage() {
  const [state, setState] = useState<ReviewState>('pending');
  const reviews = useReviews(state);
  return (
    <Page title="Marketplace review" lead="Listings and new versions wait here until an administrator approves them; a listing's live version changes only by approval.">
      <ProviderApplications />
      <section aria-labelledby="review-queue">
        <Title order={2} size="h3" id="review-queue" mb="sm">
          Listing versions
        </Title>
        <FilterBar fields={FILTERS} values={{ state }} onChange={(_name, v) => isReviewState(v) && setState(v)} />
        <Space h="sm" />
        {reviews.isPending ? (
          <LoadingState label="Loading the review queue…" />
        ) : reviews.isError ? (
          <ErrorState title="The review queue could not be loaded" error={reviews.error} onRetry={() => void reviews.refetch()} />
        ) : reviews.data.length === 0 ? (
          <EmptyState title={state === 'pending' ? 'Nothing waits for review' : 'No versions in this state'}>
            {state === 'pending' ? 'When a provider submits a listing or a new version, it appears here.' : 'Choose another state above.'}
          </EmptyState>
        ) : (
          <Stack>
            {reviews.data.map((r) => (
              <ReviewCard key={`${r.listing_id}/${r.version}`} item={r} />
            ))}
          </Stack>
        )}
      </section>
      <Listings />
    </Page>
  );
}

/** Every listing, live or withdrawn: withdraw one (a reason is required), or reinstate it. */
function Listings() {
  const [state, setState] = useState<ListingFilter>('all');
  const listings = useAdminListings(state);
  return (
    <section aria-labelledby="listings">
      <Title order={2} size="h3" id="listings" mb="sm">
        Listings
      </Title>
      <FilterBar fields={LISTING_FILTERS} values={{ listings: state }} onChange={(_name, v) => isListingFilter(v) && setState(v)} />
      <Space h="sm" />
      {listings.isPending ? (
        <LoadingState label="Loading the listings…" />
      ) : listings.isError ? (
        <ErrorState title="The listings could not be loaded" error={listings.error} onRetry={() => void listings.refetch()} />
      ) : listings.data.length === 0 ? (
        <EmptyState title={state === 'all' ? 'No listing yet' : 'No listing in this state'}>
          {state === 'all' ? 'When a provider submits a listing, it appears here.' : 'Choose another filter above.'}
        </EmptyState>
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table withTableBorder>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Listing</Table.Th>
                <Table.Th>Provider</Table.Th>
                <Table.Th>Live version</Table.Th>
                <Table.Th>Installs</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Action</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {listings.data.map((l) => (
                <ListingRow key={l.id} listing={l} />
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </section>
  );
}

function installedBy(installs: number): string {
  if (installs === 0) return 'Nobody has it installed.';
  const who = installs === 1 ? 'The user who installed it keeps' : `The ${installs} users who installed it keep`;
  return `${who} using it until they uninstall it (to cut them off too, disable its service).`;
}

function ListingRow({ listing: l }: { listing: AdminListing }) {
  const withdraw = useAdminWithdraw();
  const reinstate = useAdminReinstate();
  const [withdrawing, setWithdrawing] = useState(false);
  const [reinstating, setReinstating] = useState(false);
  const name = l.title ?? l.slug;
  return (
    <Table.Tr data-listing={l.slug}>
      <Table.Td>
        {name}
        <Text size="xs" c="dimmed">
          <code>{l.slug}</code> · {l.kind}
        </Text>
      </Table.Td>
      <Table.Td>{l.provider.display_name}</Table.Td>
      <Table.Td>{l.live_version ?? 'none yet'}</Table.Td>
      <Table.Td>{l.installs}</Table.Td>
      <Table.Td>
        {l.withdrawn ? (
          <Stack gap={2}>
            <Badge variant="light" color="gray">
              Withdrawn
            </Badge>
            <Text size="xs">
              {new Date(l.withdrawn.at).toLocaleDateString()} by {l.withdrawn.by === 'admin' ? 'an administrator' : 'the provider'}
              {l.withdrawn.reason ? `: ${l.withdrawn.reason}` : ''}
            </Text>
          </Stack>
        ) : (
          <Badge variant="light" color={l.live_version === null ? 'yellow' : 'teal'}>
            {l.live_version === null ? 'Not approved yet' : 'Live'}
          </Badge>
        )}
      </Table.Td>
      <Table.Td>
        {l.withdrawn ? (
          <Button size="xs" variant="light" onClick={() => setReinstating(true)} aria-label={`Reinstate ${name}`}>
            Reinstate
          </Button>
        ) : (
          <Button size="xs" color="red" variant="light" onClick={() => setWithdrawing(true)} aria-label={`Withdraw ${name}`}>
            Withdraw
          </Button>
        )}
        <ReasonDialog
          opened={withdrawing}
          title={`Withdraw ${name}`}
          explanation={`It leaves the marketplace at once: nobody can find or install it, and it takes no new version. ${installedBy(l.installs)} The provider sees your reason and cannot undo it.`}
          submitLabel="Withdraw"
          pending={withdraw.isPending}
          error={withdraw.error}
          onClose={() => {
            setWithdrawing(false);
            withdraw.reset();
          }}
          onSubmit={(reason) =>
            withdraw.mutate(
              { id: l.id, reason },
              {
                onSuccess: () => {
                  setWithdrawing(false);
                  notifications.show({ color: 'gray', title: 'Withdrawn', message: `${name} left the marketplace.` });
                },
              },
            )
          }
        />
        <ConfirmDialog
          opened={reinstating}
          title={`Reinstate ${name}?`}
          confirmLabel="Reinstate"
          color="blue"
          pending={reinstate.isPending}
          error={reinstate.error}
          errorTitle="Not reinstated"
          onClose={() => {
            setReinstating(false);
            reinstate.reset();
          }}
          onConfirm={() =>
            reinstate.mutate(
              { id: l.id },
              {
                onSuccess: () => {
                  setReinstating(false);
                  notifications.show({ color: 'green', title: 'Reinstated', message: `${name} is back on the marketplace.` });
                },
              },
            )
          }
        >
          It returns to the marketplace{l.live_version ? ` with version ${l.live_version}, whose address the platform checks again first` : ''}: users can find and install it again, and its versions waiting for review go back to the queue.
        </ConfirmDialog>
      </Table.Td>
    </Table.Tr>
  );
}

function describeSource(source: Record<string, unknown>): string {
  if (source.type === 'http') return `${String(source.url)} (${String(source.transport ?? 'streamable-http')})`;
  if (source.type === 'npm') return `npm ${String(source.package)}@${String(source.version)}`;
  if (source.type === 'builder') {
    const openapi = (source.openapi ?? {}) as { base_url?: unknown };
    return `builder service ${String(source.service_id)}, version ${String(source.version)} (calls ${String(openapi.base_url)})`;
  }
  return JSON.stringify(source);
}

function ReviewCard({ item }: { item: ReviewItem }) {
  const decide = useDecideVersion();
  const reinspect = useReinspect();
  const [approving, setApproving] = useState(false);
  const [rejecting, setRejecting] = useState(false);
  const inspection = item.inspection;
  const name = `${item.title} v${item.version}`;
  return (
    <Card withBorder radius="md" component="article" aria-label={name} data-review={`${item.slug}/${item.version}`}>
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start">
          <div>
            <Title order={3} size="h4">
              {item.title} · version {item.version}
            </Title>
            <Text size="sm" c="dimmed">
              <code>{item.slug}</code> · by {item.provider.display_name ?? item.provider.user_id} · {item.kind} · live version {item.live_version ?? 'none yet'}
            </Text>
          </div>
          <Badge variant="light" color={item.state === 'pending' ? 'yellow' : item.state === 'approved' ? 'teal' : item.state === 'rejected' ? 'red' : 'gray'}>
            {item.state}
          </Badge>
        </Group>
        <Text size="sm">{item.description || 'No description.'}</Text>
        <Table variant="vertical" withTableBorder>
          <Table.Tbody>
            <Table.Tr>
              <Table.Th w={180}>Source</Table.Th>
              <Table.Td>
                <code>{describeSource(item.source)}</code>
              </Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th>Price</Table.Th>
              <Table.Td>{formatPrice(item.price)}</Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th>Categories</Table.Th>
              <Table.Td>{(item.categories ?? []).join(', ') || '—'}</Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th>Credentials asked</Table.Th>
              <Table.Td>{item.credentials.map((c) => String(c.title ?? c.name)).join(', ') || 'none'}</Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th>Changelog</Table.Th>
              <Table.Td>{item.changelog || '—'}</Table.Td>
            </Table.Tr>
            {item.reason && (
              <Table.Tr>
                <Table.Th>Reviewer's reason</Table.Th>
                <Table.Td>{item.reason}</Table.Td>
              </Table.Tr>
            )}
          </Table.Tbody>
        </Table>
        <Title order={4} size="h5">
          What the platform found when it connected
        </Title>
        {!inspection ? (
          <Text c="dimmed">Not inspected yet.</Text>
        ) : !inspection.ok ? (
          <Alert color="red" variant="light" title="The platform could not connect" role="alert">
            {inspection.error ?? 'Unknown error'}. It cannot be approved until an inspection connects.
          </Alert>
        ) : (
          <Stack gap="xs" data-testid="inspection">
            <Text size="sm">
              Server <code>{inspection.server?.name ?? '?'}</code> {inspection.server?.version ?? ''}: {inspection.tools.length} tools, {inspection.prompts.length} prompts,{' '}
              {inspection.resources.length + inspection.resourceTemplates.length} resources.
            </Text>
            <Table withTableBorder>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Tool</Table.Th>
                  <Table.Th>Description</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {inspection.tools.map((t) => (
                  <Table.Tr key={t.name} data-tool={t.name}>
                    <Table.Td>
                      <code>{t.name}</code>
                    </Table.Td>
                    <Table.Td>{t.description ?? '—'}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            {inspection.prompts.length > 0 && (
              <Text size="sm">
                Prompts: {inspection.prompts.map((p) => p.name).join(', ')}
              </Text>
            )}
            {inspection.resources.length + inspection.resourceTemplates.length > 0 && (
              <List size="sm">
                {inspection.resources.map((r) => (
                  <List.Item key={r.uri}>
                    Resource <code>{r.uri}</code> {r.name}
                  </List.Item>
                ))}
                {inspection.resourceTemplates.map((r) => (
                  <List.Item key={r.uriTemplate}>
                    Template <code>{r.uriTemplate}</code> {r.name}
                  </List.Item>
                ))}
              </List>
            )}
          </Stack>
        )}
        {reinspect.isError && <ErrorState title="The inspection failed" error={reinspect.error} />}
        {item.state === 'pending' && (
          <Group>
            <Button onClick={() => setApproving(true)} disabled={!inspection?.ok}>
              Approve {name}
            </Button>
            <Button color="red" variant="light" onClick={() => setRejecting(true)}>
              Reject {name}
            </Button>
            <Button variant="default" loading={reinspect.isPending} onClick={() => reinspect.mutate({ listingId: item.listing_id, version: item.version })}>
              Inspect again
            </Button>
          </Group>
        )}
      </Stack>
      <ConfirmDialog
        opened={approving}
        title={`Approve ${name}?`}
        confirmLabel="Approve"
        color="blue"
        pending={decide.isPending}
        error={decide.error}
        errorTitle="Not approved"
        onClose={() => {
          setApproving(false);
          decide.reset();
        }}
        onConfirm={() =>
          decide.mutate(
            { listingId: item.listing_id, version: item.version, body: { decision: 'approve' } },
            {
              onSuccess: () => {
                setApproving(false);
                notifications.show({ color: 'green', title: 'Approved', message: `${name} is live.` });
              },
            },
          )
        }
      >
        It becomes the live version of <code>{item.slug}</code> at once{item.live_version ? `, replacing version ${item.live_version}` : ''}; users can find and install it, and calls are billed at {formatPrice(item.price)}.
      </ConfirmDialog>
      <ReasonDialog
        opened={rejecting}
        title={`Reject ${name}`}
        explanation="The provider sees your reason on the version. Nothing changes for users."
        submitLabel="Reject"
        pending={decide.isPending}
        error={decide.error}
        onClose={() => {
          setRejecting(false);
          decide.reset();
        }}
        onSubmit={(reason) => decide.mutate({ listingId: item.listing_id, version: item.version, body: { decision: 'reject', reason } }, { onSuccess: () => setRejecting(false) })}
      />
    </Card>
  );
}

/** A decision that needs a reason (reject a version, refuse an application). */
function ReasonDialog({
  opened,
  title,
  explanation,
  submitLabel,
  pending,
  error,
  onClose,
  onSubmit,
}: {
  opened: boolean;
  title: string;
  explanation: string;
  submitLabel: string;
  pending: boolean;
  error: unknown;
  onClose: () => void;
  onSubmit: (reason: string) => void;
}) {
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState(false);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!reason.trim()) {
      setMissing(true);
      return;
    }
    onSubmit(reason.trim());
  };
  return (
    <Modal opened={opened} onClose={onClose} title={title} centered>
      <form onSubmit={submit}>
        <Stack>
          <Text size="sm">{explanation}</Text>
          <Textarea
            label="Reason"
            withAsterisk
            value={reason}
            onChange={(e) => {
              setReason(e.currentTarget.value);
              setMissing(false);
            }}
            error={missing ? 'Give a reason' : undefined}
            autosize
            minRows={3}
            data-autofocus
          />
          {error ? <ErrorState title="Not done" error={error} /> : null}
          <FormActions submitLabel={submitLabel} pending={pending} onCancel={onClose} />
        </Stack>
      </form>
    </Modal>
  );
}

function ProviderApplications() {
  const providers = usePendingProviders();
  return (
    <section aria-labelledby="provider-applications">
      <Title order={2} size="h3" id="provider-applications" mb="sm">
        Provider applications
      </Title>
      {providers.isPending ? (
        <LoadingState label="Loading the applications…" />
      ) : providers.isError ? (
        <ErrorState title="The applications could not be loaded" error={providers.error} onRetry={() => void providers.refetch()} />
      ) : providers.data.length === 0 ? (
        <Text c="dimmed">No application waits for a decision.</Text>
      ) : (
        <Table withTableBorder>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Provider</Table.Th>
              <Table.Th>Account</Table.Th>
              <Table.Th>Note</Table.Th>
              <Table.Th>Applied</Table.Th>
              <Table.Th>Decision</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {providers.data.map((p) => (
              <ApplicationRow key={p.user_id} application={p} />
            ))}
          </Table.Tbody>
        </Table>
      )}
    </section>
  );
}

function ApplicationRow({ application: p }: { application: ProviderApplication }) {
  const decide = useDecideProvider();
  const [refusing, setRefusing] = useState(false);
  return (
    <Table.Tr data-application={p.user_id}>
      <Table.Td>{p.display_name}</Table.Td>
      <Table.Td>{p.email ?? p.user_id}</Table.Td>
      <Table.Td>{p.note || '—'}</Table.Td>
      <Table.Td>{new Date(p.created_at).toLocaleString()}</Table.Td>
      <Table.Td>
        <Group gap="xs">
          <Button size="xs" loading={decide.isPending && !refusing} onClick={() => decide.mutate({ userId: p.user_id, body: { decision: 'approve' } })}>
            Approve {p.display_name}
          </Button>
          <Button size="xs" color="red" variant="light" onClick={() => setRefusing(true)}>
            Refuse {p.display_name}
          </Button>
        </Group>
        {decide.isError && !refusing && <ErrorState title="Not decided" error={decide.error} />}
        <ReasonDialog
          opened={refusing}
          title={`Refuse ${p.display_name}`}
          explanation="They can apply again later; your reason is kept with the application."
          submitLabel="Refuse"
          pending={decide.isPending}
          error={decide.error}
          onClose={() => {
            setRefusing(false);
            decide.reset();
          }}
          onSubmit={(reason) => decide.mutate({ userId: p.user_id, body: { decision: 'reject', reason } }, { onSuccess: () => setRefusing(false) })}
        />
      </Table.Td>
    </Table.Tr>
  );
}
