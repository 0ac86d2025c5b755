import { tenant, show } from './page.js';
import init, { PredictionsClient } from 'qlik-automl-predictions';

await init();

const client = new PredictionsClient(tenant);
show(await client.table('churn-small', 'predictions', { limit: 5 }));
