// Starts GOV.UK Frontend's components (service navigation menu, notification banners, ...).
import { initAll } from "../build/govuk-frontend.min.js";

initAll();
