import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import { unwrap } from '../../api/errors';
import type { paths } from '../../api/schema';

export type ImportResult = paths['/v1/builder/imports']['post']['responses'][200]['content']['application/json'];
export type ImportedTool = ImportResult['tools'][number];
export type BuilderService = paths['/v1/builder/services']['get']['responses'][200]['content']['application/json']['services'][number];
export type NewService = paths['/v1/builder/services']['post']['requestBody']['content']['application/json'];
export type Definition = Pick<NewService, 'openapi' | 'credentials'>;
export type VersionList = paths['/v1/builder/services/{id}/versions']['get']['responses'][200]['content']['application/json'];
export type TryRequest = paths['/v1/builder/try']['post']['requestBody']['content']['application/json'];
export type ToolResult = paths['/v1/builder/try']['post']['responses'][200]['content']['application/json'];

const keys = {
  services: ['builder', 'services'] as const,
  versions: (id: string) => ['builder', 'versions', id] as const,
};

/** Whether this caller may build (admins; users when the operator set BUILDER_USERS=true), asked without a refused request. */
export function useBuilderAccess(enabled = true) {
  return useQuery({
    queryKey: ['builder', 'access'],
    enabled,
    staleTime: 5 * 60_000,
    queryFn: async ({ signal }) => unwrap(await api.GET('/v1/builder/access', { signal })).allowed,
  });
}

/** The openapi services this caller may build (the list answers 403 to those who may not). */
export function useBuilderServices(enabled = true) {
  return useQuery({
    queryKey: keys.services,
    enabled,
    retry: (count, error) => count < 2 && !(error as { status?: number }).status,
    queryFn: async ({ signal }) => unwrap(await api.GET('/v1/builder/services', { signal })).services,
  });
}

/** An API document: its text (JSON or YAML, as uploaded) or a URL the platform fetches. */
export type DocumentSource = { text: string } | { url: string };

export function useImportDocument() {
  return useMutation({
    mutationFn: async (source: DocumentSource): Promise<ImportResult> => {
      if ('url' in source) return unwrap(await api.POST('/v1/builder/imports', { body: { url: source.url } }));
      const json = /^\s*[{[]/.test(source.text);
      // The text goes as it is (no parse in the browser); the platform says where it cannot read it.
      return unwrap(
        await api.POST('/v1/builder/imports', {
          body: source.text as unknown as { url: string },
          bodySerializer: (b: unknown) => b as string,
          headers: { 'content-type': json ? 'application/json' : 'application/yaml' },
        }),
      );
    },
  });
}

export function useCreateService() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: NewService) => unwrap(await api.POST('/v1/builder/services', { body })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: keys.services }),
  });
}

export function useTryTool() {
  return useMutation({ mutationFn: async (body: TryRequest) => unwrap(await api.POST('/v1/builder/try', { body })) });
}

export function useVersions(id: string) {
  return useQuery({
    queryKey: keys.versions(id),
    queryFn: async ({ signal }) => unwrap(await api.GET('/v1/builder/services/{id}/versions', { params: { path: { id } }, signal })),
  });
}

export function useBuilderService(id: string) {
  return useQuery({
    queryKey: [...keys.services, id],
    queryFn: async ({ signal }) => unwrap(await api.GET('/v1/builder/services/{id}', { params: { path: { id } }, signal })),
  });
}

export function useVersionDefinition(id: string, version: number | null) {
  return useQuery({
    queryKey: [...keys.versions(id), version],
    enabled: version !== null,
    queryFn: async ({ signal }) => unwrap(await api.GET('/v1/builder/services/{id}/versions/{version}', { params: { path: { id, version: version! } }, signal })),
  });
}

function useVersionMutation<T>(fn: (id: string, arg: T) => Promise<unknown>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, arg }: { id: string; arg: T }) => fn(id, arg),
    onSuccess: (_r, { id }) => {
      void queryClient.invalidateQueries({ queryKey: keys.versions(id) });
      void queryClient.invalidateQueries({ queryKey: keys.services });
    },
  });
}

export const usePublish = () =>
  useVersionMutation(async (id, version: number) => unwrap(await api.POST('/v1/builder/services/{id}/versions/{version}/publish', { params: { path: { id, version } } })));
export const useRollback = () => useVersionMutation(async (id, _arg: null) => unwrap(await api.POST('/v1/builder/services/{id}/rollback', { params: { path: { id } } })));
export const useSaveVersion = () =>
  useVersionMutation(async (id, body: Definition & { publish?: boolean }) => unwrap(await api.POST('/v1/builder/services/{id}/versions', { params: { path: { id } }, body })));
