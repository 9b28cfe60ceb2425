import type { paths } from './schema';

/** The JSON body of a successful GET on `P`, as the OpenAPI document describes it. */
export type GetResponse<P extends keyof paths> = paths[P] extends {
  get: { responses: { 200: { content: { 'application/json': infer Body } } } };
}
  ? Body
  : never;
