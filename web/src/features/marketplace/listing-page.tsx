import { Alert, Anchor, Badge, Button, Card, Group, List, Select, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { Page } from '../../components/page';
import { EmptyState, ErrorState, LoadingState } from '../../components/states';
import { isPlatformApiError } from '../../api/errors';
import { formatPrice, formatRating, useInstall, useListing, useRate, useUninstall, type Listing } from './queries';

const RATING_CHOICES = [5, 4, 3, 2, 1].map((n) => ({ value: String(n), label: `${n} of 5` }));
const formatDate = (iso: string | null) => (iso ? new Date(iso).toLocaleDateString() : '—');

/** One listing (docs/marketplace.md, "Users"): what it offers, install or uninstall, ratings, changelog. */
export default function ListingPage() {
  const { slug = '' } = useParams();
  const listing = useListing(slug);
  if (listing.isPending) {
    return (
      <Page title="Marketplace listing">
        <LoadingState label="Loading the listing…" />
      </Page>
    );
  }
  if (listing.isError) {
    const notFound = isPlatformApiError(listing.error) && listing.error.status === 404;
    return (
      <Page title={notFound ? 'Listing not found' : 'Marketplace listing'}>
        {notFound ? (
          <EmptyState
            title="There is no live listing at this address"
            action={
              <Button component={Link} to="/marketplace">
                Back to the marketplace
              </Button>
            }
          >
            It may have been removed or withdrawn, or it is not approved yet.
          </EmptyState>
        ) : (
          <ErrorState title="The listing could not be loaded" error={listing.error} onRetry={() => void listing.refetch()} />
        )}
      </Page>
    );
  }
  return <ListingDetails listing={listing.data} />;
}

function ListingDetails({ listing }: { listing: Listing }) {
  return (
    <Page title={listing.title} lead={`by ${listing.provider.display_name} · version ${listing.version}`}>
      <Anchor component={Link} to="/marketplace" size="sm">
        ← All listings
      </Anchor>
      <Card withBorder radius="md">
        <Stack gap="sm">
          <Text>{listing.description || 'No description.'}</Text>
          <Group gap="xs">
            {(listing.categories ?? []).map((c) => (
              <Badge key={c} variant="outline">
                {c}
              </Badge>
            ))}
          </Group>
          <Group gap="xl">
            <Text fw={600}>{formatPrice(listing.price)}</Text>
            <Text>{formatRating(listing.rating)}</Text>
            <Text>
              {listing.installs} {listing.installs === 1 ? 'install' : 'installs'}
            </Text>
          </Group>
          {(listing.links ?? []).length > 0 && (
            <Group gap="md">
              {(listing.links ?? []).map((l) => (
                <Anchor key={l.url} href={l.url} target="_blank" rel="noopener noreferrer">
                  {l.title}
                </Anchor>
              ))}
            </Group>
          )}
          {listing.withdrawn_at && (
            <Alert color="gray" title={`Withdrawn on ${formatDate(listing.withdrawn_at)}`} data-testid="listing-withdrawn">
              It is no longer in the marketplace. You installed it before, so you keep using it until you uninstall it; after that it cannot be installed again.
            </Alert>
          )}
          <InstallControls listing={listing} />
        </Stack>
      </Card>
      <Offers listing={listing} />
      <Reviews listing={listing} />
      <section aria-labelledby="changelog">
        <Title order={2} size="h4" id="changelog" mb="xs">
          Changelog
        </Title>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Version</Table.Th>
              <Table.Th>Approved</Table.Th>
              <Table.Th>Changes</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {listing.changelog.map((c) => (
              <Table.Tr key={c.version} data-version={c.version}>
                <Table.Td>{c.version}</Table.Td>
                <Table.Td>{formatDate(c.approved_at)}</Table.Td>
                <Table.Td>{c.changelog || '—'}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </section>
    </Page>
  );
}

function InstallControls({ listing }: { listing: Listing }) {
  const install = useInstall(listing.id);
  const uninstall = useUninstall(listing.id);
  const [confirming, setConfirming] = useState(false);
  if (!listing.installed) {
    return (
      <Stack gap="xs">
        {install.isError && <ErrorState title="Not installed" error={install.error} />}
        <Group>
          <Button loading={install.isPending} onClick={() => install.mutate(undefined, { onSuccess: () => notifications.show({ color: 'green', title: 'Installed', message: `${listing.title} is now one of your services.` }) })}>
            Install
          </Button>
          <Text size="sm" c="dimmed">
            {listing.price ? `Each call is billed at ${formatPrice(listing.price)}.` : 'Free to use.'}
          </Text>
        </Group>
      </Stack>
    );
  }
  return (
    <Stack gap="xs">
      <Alert color="teal" title="Installed" role="status">
        It is one of your services, at <code>/mcp/{listing.service}</code> and in the aggregate <code>/mcp</code>.{' '}
        {listing.credentials.length > 0 ? (
          <>
            It needs {listing.credentials.map((c) => c.title).join(', ')}:{' '}
            <Anchor component={Link} to="/services">
              add your credentials on the Services page
            </Anchor>
            .
          </>
        ) : (
          'It needs no credentials.'
        )}
      </Alert>
      <Group>
        <Button variant="default" color="red" onClick={() => setConfirming(true)}>
          Uninstall
        </Button>
      </Group>
      <ConfirmDialog
        opened={confirming}
        title={`Uninstall ${listing.title}?`}
        confirmLabel="Uninstall"
        pending={uninstall.isPending}
        error={uninstall.error}
        errorTitle="Not uninstalled"
        onClose={() => {
          setConfirming(false);
          uninstall.reset();
        }}
        onConfirm={() => uninstall.mutate(undefined, { onSuccess: () => setConfirming(false) })}
      >
        Your MCP clients can no longer use it, and the credentials you stored for it are deleted. You can install it again later.
      </ConfirmDialog>
    </Stack>
  );
}

function Offers({ listing }: { listing: Listing }) {
  return (
    <section aria-labelledby="offers">
      <Title order={2} size="h4" id="offers" mb="xs">
        Tools ({listing.tools.length})
      </Title>
      {listing.tools.length === 0 ? (
        <Text c="dimmed">This listing exposes no tools.</Text>
      ) : (
        <Table data-testid="listing-tools">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Tool</Table.Th>
              <Table.Th>What it does</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {listing.tools.map((t) => (
              <Table.Tr key={t.name} data-tool={t.name}>
                <Table.Td>
                  <code>{t.name}</code>
                </Table.Td>
                <Table.Td>{t.description ?? t.title ?? '—'}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {(listing.prompts.length > 0 || listing.resources.length > 0) && (
        <Group align="flex-start" gap="xl" mt="sm">
          {listing.prompts.length > 0 && (
            <div>
              <Title order={3} size="h5">
                Prompts
              </Title>
              <List size="sm">
                {listing.prompts.map((p) => (
                  <List.Item key={p.name}>
                    <code>{p.name}</code> {p.description}
                  </List.Item>
                ))}
              </List>
            </div>
          )}
          {listing.resources.length > 0 && (
            <div>
              <Title order={3} size="h5">
                Resources
              </Title>
              <List size="sm">
                {listing.resources.map((r) => (
                  <List.Item key={r.uri}>
                    <code>{r.uri}</code> {r.description ?? r.name}
                  </List.Item>
                ))}
              </List>
            </div>
          )}
        </Group>
      )}
    </section>
  );
}

function Reviews({ listing }: { listing: Listing }) {
  const mine = listing.reviews.find((r) => r.mine);
  return (
    <section aria-labelledby="reviews">
      <Title order={2} size="h4" id="reviews" mb="xs">
        Ratings and reviews
      </Title>
      <Stack gap="sm">
        {listing.installed ? (
          <RatingForm key={mine?.updated_at ?? 'new'} listingId={listing.id} mine={mine} />
        ) : (
          <Text size="sm" c="dimmed">
            Install this listing to rate it.
          </Text>
        )}
        {listing.reviews.length === 0 ? (
          <Text c="dimmed">No ratings yet.</Text>
        ) : (
          listing.reviews.map((r, i) => (
            <Card key={i} withBorder padding="sm" data-review={r.mine ? 'mine' : 'other'}>
              <Group gap="xs">
                <Text fw={600}>{r.rating} of 5</Text>
                {r.mine && (
                  <Badge size="sm" variant="light">
                    Yours
                  </Badge>
                )}
                <Text size="xs" c="dimmed">
                  {formatDate(r.updated_at)}
                </Text>
              </Group>
              {r.review && <Text size="sm">{r.review}</Text>}
            </Card>
          ))
        )}
      </Stack>
    </section>
  );
}

function RatingForm({ listingId, mine }: { listingId: string; mine?: Listing['reviews'][number] }) {
  const rate = useRate(listingId);
  const [rating, setRating] = useState<string | null>(mine ? String(mine.rating) : null);
  const [review, setReview] = useState(mine?.review ?? '');
  const [missing, setMissing] = useState(false);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!rating) {
      setMissing(true);
      return;
    }
    rate.mutate({ rating: Number(rating), review }, { onSuccess: () => notifications.show({ color: 'green', title: mine ? 'Review updated' : 'Thank you', message: 'Your rating is saved.' }) });
  };
  return (
    <Card withBorder padding="md" component="form" onSubmit={submit} aria-label={mine ? 'Edit your rating' : 'Rate this listing'}>
      <Stack gap="sm">
        <Text fw={600}>{mine ? 'Your rating (you can change it)' : 'Rate this listing'}</Text>
        <Select
          label="Your rating"
          data={RATING_CHOICES}
          value={rating}
          onChange={(v) => {
            setRating(v);
            setMissing(false);
          }}
          error={missing ? 'Choose a rating' : undefined}
          withAsterisk
          maw={200}
        />
        <Textarea label="Review (optional)" value={review} onChange={(e) => setReview(e.currentTarget.value)} maxLength={4000} autosize minRows={2} />
        {rate.isError && <ErrorState title="The rating was not saved" error={rate.error} />}
        <Group>
          <Button type="submit" loading={rate.isPending}>
            {mine ? 'Update my rating' : 'Submit my rating'}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
