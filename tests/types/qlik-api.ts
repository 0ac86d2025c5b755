// Host configs typed with the official Qlik client's `HostConfig` (`@qlik/api`, the exact
// version of package.json) are accepted by the client as they are. Not executed.
import type { HostConfig } from '@qlik/api/auth';
import { PredictionsClient, type ClientConfig } from 'qlik-automl-predictions';

export function fromQlikApi(any: HostConfig, key: HostConfig<'apikey'>, cookie: HostConfig<'cookie'>, oauth: HostConfig<'oauth2'>, none: HostConfig<'none'>): PredictionsClient[] {
  const typed: HostConfig = { host: 'tenant.eu.qlikcloud.com', apiKey: 'key' };
  const inferredOAuth: HostConfig = { host: 'tenant.eu.qlikcloud.com', clientId: 'id', getAccessToken: 'fetchQlikToken' };
  const asConfig: ClientConfig = any;
  return [any, key, cookie, oauth, none, typed, inferredOAuth, asConfig].map((c) => new PredictionsClient(c));
}
