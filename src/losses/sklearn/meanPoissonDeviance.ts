import { devianceMetric } from './meanTweedieDeviance.ts';

export const sklearnMeanPoissonDeviance = devianceMetric('mean_poisson_deviance', 1, "scikit-learn's mean Poisson deviance (Tweedie power 1): targets ≥ 0, predictions > 0.");
