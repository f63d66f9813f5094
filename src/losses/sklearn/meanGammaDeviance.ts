import { devianceMetric } from './meanTweedieDeviance.ts';

export const sklearnMeanGammaDeviance = devianceMetric('mean_gamma_deviance', 2, "scikit-learn's mean gamma deviance (Tweedie power 2): targets and predictions > 0.");
