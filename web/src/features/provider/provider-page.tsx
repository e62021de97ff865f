import { Alert, Badge, Button, Card, Group, Modal, PasswordInput, Select, SimpleGrid, Stack, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { FormActions } from '../../components/form-actions';
import { Page } from '../../components/page';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { formatAmount, formatPrice } from '../marketplace/queries';
import { useApply, useListingStats, useProviderListings, useProviderStatus, useSubmitListing, type ListingSubmission, type ProviderListing } from './queries';

/**
 * The provider's view of the marketplace (docs/marketplace.md, "Web pages"): apply for the role;
 * once approved, submit an http listing and follow its versions through review, with its figures.
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
        <ApplyForm previous={status.data && status.data.status !== 'none' ? status.data : null} />
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
  const [submitting, setSubmitting] = useState(false);
  return (
    <section aria-labelledby="my-listings">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h3" id="my-listings">
          My listings
        </Title>
        <Button onClick={() => setSubmitting(true)}>Submit a listing</Button>
      </Group>
      {listings.isPending ? (
        <LoadingState label="Loading your listings…" />
      ) : listings.isError ? (
        <ErrorState title="Your listings could not be loaded" error={listings.error} onRetry={() => void listings.refetch()} />
      ) : listings.data.length === 0 ? (
        <EmptyState title="No listings yet">Submit your MCP server's address; the platform connects to it and an administrator reviews what it offers.</EmptyState>
      ) : (
        <Stack>
          {listings.data.map((l) => (
            <ListingCard key={l.id} listing={l} />
          ))}
        </Stack>
      )}
      <Modal opened={submitting} onClose={() => setSubmitting(false)} title="Submit a listing" size="lg" centered>
        <SubmitForm onDone={() => setSubmitting(false)} />
      </Modal>
    </section>
  );
}

const STATE_COLOR: Record<string, string> = { pending: 'yellow', approved: 'teal', rejected: 'red', superseded: 'gray' };

function ListingCard({ listing }: { listing: ProviderListing }) {
  const latest = listing.versions.at(-1);
  return (
    <Card withBorder radius="md" component="article" aria-label={latest?.title ?? listing.slug} data-provider-listing={listing.slug}>
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={3} size="h4">
            {latest?.title ?? listing.slug}
          </Title>
          {listing.live_version ? (
            <Button component={Link} to={`/marketplace/${listing.slug}`} variant="subtle" size="xs">
              Live: version {listing.live_version}
            </Button>
          ) : (
            <Text size="sm" c="dimmed">
              Not live yet
            </Text>
          )}
        </Group>
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
          <div key={label}>
            <Text size="xs" c="dimmed">
              {label}
            </Text>
            <Text fw={600} data-figure={label}>
              {value}
            </Text>
          </div>
        ))}
      </SimpleGrid>
    </div>
  );
}

interface Draft {
  slug: string;
  title: string;
  description: string;
  categories: string;
  price: string;
  url: string;
  transport: 'streamable-http' | 'sse';
  header: string;
  credentialTitle: string;
  testKey: string;
  changelog: string;
}

const EMPTY: Draft = { slug: '', title: '', description: '', categories: '', price: '', url: '', transport: 'streamable-http', header: '', credentialTitle: '', testKey: '', changelog: '' };

/** What the form checks before sending; the server checks the rest (a taken slug, a refused address). */
function check(d: Draft): Partial<Record<keyof Draft, string>> {
  const errors: Partial<Record<keyof Draft, string>> = {};
  if (!/^[a-z0-9][a-z0-9-]*$/.test(d.slug)) errors.slug = 'Lowercase letters, digits and dashes, starting with a letter or digit';
  if (!d.title.trim()) errors.title = 'Give a title';
  if (d.price.trim() && !/^\d+(\.\d{1,6})?$/.test(d.price.trim())) errors.price = 'A decimal with at most 6 places, or empty for free';
  try {
    if (!/^https?:$/.test(new URL(d.url).protocol)) errors.url = 'An http or https URL';
  } catch {
    errors.url = 'An http or https URL';
  }
  if (d.header.trim() && !d.credentialTitle.trim()) errors.credentialTitle = 'Name the credential for users';
  return errors;
}

function toSubmission(d: Draft): ListingSubmission {
  const hasCredential = d.header.trim() !== '';
  return {
    slug: d.slug,
    title: d.title.trim(),
    description: d.description.trim(),
    categories: d.categories.split(',').map((c) => c.trim()).filter(Boolean),
    price: d.price.trim() ? { per_call: d.price.trim(), currency: 'USD' } : null,
    source: { type: 'http', url: d.url.trim(), transport: d.transport },
    credentials: hasCredential ? [{ name: 'api_key', title: d.credentialTitle.trim(), inject: { header: d.header.trim() } }] : [],
    changelog: d.changelog.trim(),
    ...(hasCredential && d.testKey ? { test_credentials: { api_key: d.testKey } } : {}),
  };
}

function SubmitForm({ onDone }: { onDone: () => void }) {
  const submit = useSubmitListing();
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [shown, setShown] = useState<Partial<Record<keyof Draft, string>>>({});
  const field = (name: keyof Draft) => ({
    value: draft[name],
    error: shown[name],
    onChange: (e: { currentTarget: { value: string } }) => {
      const value = e.currentTarget.value;
      setDraft((d) => ({ ...d, [name]: value }));
      setShown((s) => ({ ...s, [name]: undefined }));
    },
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const errors = check(draft);
    setShown(errors);
    if (Object.keys(errors).length > 0) return;
    submit.mutate(toSubmission(draft), {
      onSuccess: () => {
        notifications.show({ color: 'teal', title: 'Submitted', message: 'The platform inspected your server; the listing now waits for review.' });
        onDone();
      },
    });
  };
  return (
    <form onSubmit={onSubmit} noValidate>
      <Stack>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label="Slug" description="Its address: /mcp/<slug>" withAsterisk {...field('slug')} />
          <TextInput label="Title" withAsterisk {...field('title')} />
        </SimpleGrid>
        <Textarea label="Description" autosize minRows={2} {...field('description')} />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label="Categories" description="Comma-separated" {...field('categories')} />
          <TextInput label="Price per call (USD)" description="Empty: free" {...field('price')} />
        </SimpleGrid>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label="MCP endpoint URL" withAsterisk {...field('url')} />
          <Select
            label="Transport"
            data={[
              { value: 'streamable-http', label: 'Streamable HTTP' },
              { value: 'sse', label: 'SSE (legacy)' },
            ]}
            value={draft.transport}
            allowDeselect={false}
            onChange={(v) => v && setDraft((d) => ({ ...d, transport: v as Draft['transport'] }))}
          />
        </SimpleGrid>
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <TextInput label="Credential header (optional)" description="For example x-api-key" {...field('header')} />
          <TextInput label="Credential title" description="What users are asked for" {...field('credentialTitle')} />
          <PasswordInput label="Key for the review" description="Used once, never stored" {...field('testKey')} />
        </SimpleGrid>
        <Textarea label="Changelog" autosize minRows={2} {...field('changelog')} />
        {submit.isError && <ErrorState title="The listing was not submitted" error={submit.error} />}
        <FormActions submitLabel="Submit for review" pending={submit.isPending} onCancel={onDone} />
      </Stack>
    </form>
  );
}
