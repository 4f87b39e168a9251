import { providerModule } from '../define.js';
import { salesmanago } from './provider.js';
import { salesmanagoContactConsentChanged } from './contact-consent-changed.js';
import { salesmanagoUpsertContact } from './upsert-contact.js';
import { salesmanagoAddPurchase } from './add-purchase.js';

export { salesmanago } from './provider.js';
export { salesmanagoContactConsentChanged } from './contact-consent-changed.js';
export { salesmanagoUpsertContact } from './upsert-contact.js';
export { salesmanagoAddPurchase } from './add-purchase.js';
export { salesmanagoExportRetailcrm } from './export-retailcrm.js';

export const salesmanagoModule = providerModule(salesmanago, [salesmanagoContactConsentChanged, salesmanagoUpsertContact, salesmanagoAddPurchase]);
