"""The words of the in-app Help: a short guide to the five steps and a glossary.

Plain data (no Qt), so tests and the dialog read the same text. Every definition is written for a
medical student: what the word means, and how to read it in this app. The app needs no network for any
of it: the Help is this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["GLOSSARY", "GUIDE", "GuideStep", "Term", "anchor", "lookup"]


@dataclass(frozen=True)
class GuideStep:
    """One step of the guide: the sidebar's page name and a few short paragraphs (simple HTML)."""

    page: str
    title: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Term:
    """One glossary entry.

    Parameters
    ----------
    term : the word as the glossary lists it (``"ROC AUC"``).
    definition : one short paragraph (simple HTML).
    aliases : other spellings the pages use (``"AUC"``, ``"area under the ROC curve"``).
    """

    term: str
    definition: str
    aliases: tuple[str, ...] = field(default_factory=tuple)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.term, *self.aliases)


GUIDE: tuple[GuideStep, ...] = (
    GuideStep(
        "Data",
        "1  Data — look at the patients first",
        (
            "Open a file (File → Open, Ctrl+O), drop one onto the window, or open the UCI sample: 270 "
            "patients of the Statlog heart study, 13 findings each and whether heart disease was present.",
            "Check what was read before you train: the number of patients, how many had heart disease "
            "(the <i>prevalence</i> in this file), each finding's range or, for coded findings, how many "
            "patients had each category. A category seen in only a few patients is flagged: the model "
            "can learn little about it.",
            "Every patient in these data had coronary angiography, which decided the diagnosis, so heart "
            "disease is far more common among them than in the general population. Thallium scan and "
            "fluoroscopy are diagnostic tests done after referral, not screening tests.",
        ),
    ),
    GuideStep(
        "Train",
        "2  Train — let the network learn",
        (
            "Choose the <i>Tutorial</i> settings (a small network exactly as in the original lesson) or "
            "<i>Recommended</i> ones (which do better on new patients), or change any setting: each has a "
            "one-line explanation under it. Press Start (F5).",
            "Before training, some patients are set aside as the <i>test split</i>; the network never "
            "sees them while it learns. The plot shows the <i>loss</i> falling, <i>epoch</i> by epoch. "
            "Stop (Esc) keeps what was learnt so far.",
            "“Findings the model uses” chooses the network's inputs. The other hospitals of the UCI "
            "study (Hungary, Switzerland, VA Long Beach) did not record every finding: a patient lacking a "
            "ticked one is left out, so “Measured at all four sites” (8 findings) makes a model that "
            "can be taken to all four.",
        ),
    ),
    GuideStep(
        "Results",
        "3  Results — how good is it on patients it never saw?",
        (
            "Every figure here comes from the test patients only: <i>accuracy</i>, <i>sensitivity</i>, "
            "<i>specificity</i>, <i>ROC AUC</i> and the Statlog cost, each with a 95 % "
            "<i>confidence interval</i>. With 54 test patients (20 % of heart.dat) these intervals are "
            "wide: read them.",
            "On <i>Threshold &amp; costs</i>, move the <i>decision threshold</i> and watch who is caught, "
            "missed, falsely alarmed or correctly reassured. A miss costs 5 and a false alarm 1 in the "
            "Statlog study, so the threshold with the lowest expected cost is a risk of 1/6, not 50 % "
            "(if the risks can be taken at face value). The threshold you choose here is the one the "
            "Predict page uses.",
            "Click a cell of the grid to list its patients. <i>Curves</i> shows the ROC curve and the "
            "<i>precision–recall curve</i>; <i>Calibration</i> the calibration plot with its "
            "<i>calibration intercept and slope</i>; <i>Decision curve</i> the <i>net benefit</i> of using "
            "the model; <i>Subgroups</i> the figures for women, men and three age bands; <i>Other "
            "prevalence</i> the PPV and NPV at another <i>pre-test probability</i>. <i>Compare</i> scores "
            "simpler methods on the same patients and runs a <i>cross-validation</i>.",
        ),
    ),
    GuideStep(
        "Predict",
        "4  Predict — one patient",
        (
            "Enter a patient (or fill the form from a row of the data) and read the predicted risk and "
            "the decision at your threshold. Values outside what the model saw in training are flagged, "
            "and so is a patient unlike every training patient: the risk is then a guess.",
            "<i>Why this risk</i> shows which findings raised or lowered the risk compared with a typical "
            "patient; <i>What if</i> moves one finding across its range; <i>How sure</i> trains ten more "
            "networks with other seeds and shows how much their risks differ.",
        ),
    ),
    GuideStep(
        "Inside",
        "5  Inside — what the network computes",
        (
            "The network drawn: each circle a unit, each line a weight (orange positive, blue negative, "
            "thicker = larger). Next to it, the Predict page's patient is walked through every step: the "
            "findings are <i>standardised</i>, multiplied by the weights, passed through <i>ReLU</i> in "
            "the hidden layer, and turned into a risk by the <i>sigmoid</i>.",
            "<b>A teaching tool, not for clinical decisions.</b> The model learns from a few hundred "
            "patients of one study from the 1980s; it has not been validated for any patient you will see.",
        ),
    ),
)


GLOSSARY: tuple[Term, ...] = (
    # --- how well the model does ------------------------------------------------------------------
    Term(
        "Accuracy",
        "The share of patients the model classified correctly (disease or no disease) at the chosen "
        "threshold. It can mislead when one group is much larger: in a group where 9 of 10 are healthy, "
        "calling everyone healthy is 90 % accurate and misses every patient with disease.",
        ("test accuracy", "training accuracy"),
    ),
    Term(
        "Sensitivity",
        "Of the patients who have heart disease, the share the model flags: caught ÷ (caught + "
        "missed). Also called recall or true-positive rate. A low sensitivity means missed disease.",
        ("recall", "true-positive rate"),
    ),
    Term(
        "Specificity",
        "Of the patients without heart disease, the share the model correctly reassures: correctly "
        "reassured ÷ (correctly reassured + false alarms). Also called true-negative rate. A low "
        "specificity sends many healthy patients for further tests.",
        ("true-negative rate",),
    ),
    Term(
        "PPV (positive predictive value)",
        "Of the patients the model flags, the share who really have heart disease. Unlike sensitivity "
        "and specificity it depends on the prevalence: where the disease is rarer, more of the patients "
        "the same model flags are healthy, so its PPV is lower.",
        ("PPV", "positive predictive value"),
    ),
    Term(
        "NPV (negative predictive value)",
        "Of the patients the model reassures, the share who really are free of heart disease. It too "
        "depends on the prevalence: it is higher where the disease is rarer.",
        ("NPV", "negative predictive value"),
    ),
    Term(
        "Prevalence",
        "The share of patients in a group who have the disease. In heart.dat 120 of 270 (44 %) had "
        "heart disease: all of them had coronary angiography, so the figure is far higher than in the "
        "general population. PPV and NPV measured here do not carry over to a population "
        "with another prevalence (the Results page's Other prevalence tab recomputes them).",
        ("base rate",),
    ),
    Term(
        "Confusion matrix",
        "The four counts at a threshold: <i>caught</i> (disease, flagged: true positives), "
        "<i>missed</i> (disease, not flagged: false negatives), <i>false alarm</i> (no disease, flagged: "
        "false positives) and <i>correctly reassured</i> (no disease, not flagged: true negatives).",
        ("caught", "missed", "false alarm", "correctly reassured", "false positive", "false negative"),
    ),
    Term(
        "ROC curve",
        "Sensitivity plotted against 1 − specificity (the false-alarm rate) for every possible "
        "threshold. A curve that hugs the top-left corner separates the two groups well; the diagonal "
        "is a coin toss.",
        ("ROC",),
    ),
    Term(
        "ROC AUC",
        "The area under the ROC curve: the chance that a randomly chosen patient with heart disease "
        "gets a higher risk than a randomly chosen patient without. 0.5 is a coin toss, 1.0 a perfect "
        "ranking. It does not depend on the threshold, and it says nothing about whether the risks "
        "themselves are right (that is calibration).",
        ("AUC", "area under the ROC curve"),
    ),
    Term(
        "Calibration",
        "Whether the predicted risks can be taken at face value: of the patients given a risk of about "
        "30 %, about 30 % should turn out to have the disease. A model can rank patients well (high "
        "AUC) and still be badly calibrated.",
        ("calibration plot", "calibrated"),
    ),
    Term(
        "Calibration intercept and slope",
        "Two numbers that sum up a calibration plot, from the fit logit P(disease) = a + b · logit(risk). "
        "The intercept a (with b held at 1; also called calibration-in-the-large) is 0 when the risks are "
        "right on average, below 0 when they are too high, above 0 too low. The slope b is 1 when the "
        "risks are spread as widely as the outcomes support; below 1 they are too extreme (too close to "
        "0 % and 100 %), the usual sign of over-fitting.",
        ("calibration intercept", "calibration slope", "calibration-in-the-large"),
    ),
    Term(
        "Net benefit",
        "The good a decision rule does, counted in patients with the disease found per patient, minus "
        "the false alarms weighted by t/(1 − t) at threshold t: TP/n − FP/n · t/(1 − t). Choosing a "
        "threshold of 20 % says one patient found is worth four needless further tests. A decision curve "
        "plots it over thresholds for the model, for flagging everyone and for flagging no one (0); the "
        "model is worth using where its line is above both.",
        ("decision curve", "decision-curve analysis"),
    ),
    Term(
        "Precision–recall curve",
        "Precision (the PPV: of the patients flagged, the share who have the disease) against recall "
        "(sensitivity), one point per threshold. Unlike the ROC curve it depends on the prevalence: a "
        "model with no skill stays at the prevalence. Average precision is the area under its steps.",
        ("precision", "average precision", "PR curve", "precision-recall curve"),
    ),
    Term(
        "Pre-test probability",
        "How likely the disease is before the model (or a test) is used: the prevalence of the "
        "population the patient comes from. With the same sensitivity and specificity, a lower pre-test "
        "probability gives a lower PPV and a higher NPV (Bayes' rule).",
        ("pre-test", "Bayes' rule"),
    ),
    Term(
        "Brier score",
        "The average of (risk − outcome)², where the outcome is 1 for disease and 0 for none. 0 is "
        "perfect; always saying 50 % scores 0.25. It rewards risks that are both well ranked and well "
        "calibrated.",
        ("Brier",),
    ),
    Term(
        "Decision threshold",
        "The risk at or above which the model says “disease”. The network itself only gives a risk; "
        "the threshold is a separate choice, made after training, that trades missed disease against "
        "false alarms. A lower threshold catches more patients with disease and raises more false "
        "alarms.",
        ("threshold",),
    ),
    Term(
        "Statlog cost",
        "The yardstick of the Statlog study (heart.doc): every missed disease costs 5, every false "
        "alarm 1, summed and divided by the number of patients. 0 is perfect; lower is better.",
        ("cost", "expected cost", "cost matrix"),
    ),
    Term(
        "Cost-optimal threshold",
        "The threshold that gives the lowest expected cost if the risks are well calibrated: "
        "false-alarm cost ÷ (false-alarm cost + miss cost). With Statlog's costs of 1 and 5 that is "
        "1/6 (16.7 %): because a miss is five times as bad, the model should raise the alarm from a "
        "risk of 1 in 6.",
        ("cost-optimal", "1/6"),
    ),
    Term(
        "Confidence interval (95 %)",
        "A range around a figure that shows how uncertain it is: computed so that, over many studies "
        "like this one, 95 of 100 such ranges would contain the true value. With few test patients the "
        "range is wide.",
        ("confidence interval", "95 % CI", "CI"),
    ),
    Term(
        "Bootstrap",
        "A way to see how much a figure could vary: draw many new sets of test patients from the ones "
        "there are (with replacement, so some appear twice and others not at all), compute the figure "
        "on each, and take the range that holds the middle 95 % of them. The ROC AUC's interval is made "
        "this way.",
        ("resamples", "bootstrap interval"),
    ),
    Term(
        "Statlog",
        "A European project of the early 1990s that compared many classification methods on the same "
        "data sets, the heart data among them. It fixed the way heartgui compares methods: 9 folds and a "
        "cost matrix in which a missed disease costs 5 and a false alarm 1 (heart.doc).",
        ("Statlog study",),
    ),
    Term(
        "Default rule",
        "The simplest baseline: it ignores every finding and gives each patient the same risk, the "
        "share of training patients with heart disease (about 44 % in heart.dat). At a threshold of "
        "50 % it therefore calls everyone healthy; at 1/6 it calls everyone ill. A model is only useful "
        "if it beats this.",
        ("baseline", "baselines"),
    ),
    Term(
        "Logistic regression",
        "A classical statistical model: the log-odds of disease is a weighted sum of the findings. It "
        "is a neural network without a hidden layer, and a strong baseline on data like these.",
    ),
    Term(
        "Naive Bayes",
        "A simple baseline that treats each finding as independent of the others, given the diagnosis, "
        "and combines their evidence with Bayes' rule.",
    ),
    Term(
        "MLPClassifier",
        "scikit-learn's ready-made neural network (a multi-layer perceptron), used here as a "
        "comparison for the network written from scratch in this app.",
        ("scikit-learn",),
    ),
    Term(
        "Cross-validation",
        "A fairer test than one split: the patients are divided into folds (9 in the Statlog "
        "protocol); the model is trained on all folds but one and tested on the one left out, in turn, "
        "so every patient is tested once. Repeating it with several shuffles gives a mean and a spread.",
        ("fold", "folds", "Statlog protocol", "shuffle", "shuffles"),
    ),
    # --- the data and how it is split -------------------------------------------------------------
    Term(
        "Test split",
        "The patients set aside before training (20 % by default) and never used to learn from. Only "
        "figures on them tell how the model may do on new patients.",
        ("test set", "test patients", "test fraction", "held-out patients"),
    ),
    Term(
        "Validation split",
        "A share of the training patients held back during training. The network does not learn from "
        "them; their loss is watched epoch by epoch to see when the network starts to overfit, and is "
        "what early stopping uses. They are not the test patients.",
        ("validation fraction", "validation set", "validation patients", "validation loss"),
    ),
    Term(
        "Training patients",
        "The patients the network learns from: all patients minus the test split (and minus the "
        "validation split, if there is one).",
        ("training set", "training split"),
    ),
    Term(
        "Standardisation",
        "Putting every measurement on the same scale before the network sees it: z = (x − mean) ÷ sd, "
        "with the mean and standard deviation of the training patients. z = +1 means one standard "
        "deviation above their average, whatever the unit.",
        ("standardise", "standardised", "z-score", "standard deviation"),
    ),
    Term(
        "One-hot encoding",
        "A way to give the network a category without an order (chest-pain type, resting ECG, thallium "
        "scan): one input per category, 1 for the patient's category and 0 for the others. Without it "
        "the code numbers (e.g. thallium 3, 6, 7) would be read as if 7 were more than 6.",
        ("one-hot", "one input per category"),
    ),
    Term(
        "Seed",
        "The number that starts the random number generator. The same seed gives the same random "
        "starting weights (or the same split of patients), so a run can be repeated exactly.",
        ("random seed",),
    ),
    # --- the network and how it learns ------------------------------------------------------------
    Term(
        "Neural network",
        "Here a small multi-layer perceptron: the findings go in, each hidden unit adds them up with "
        "its own weights and passes the result through ReLU, and the output unit turns its sum into a "
        "risk with the sigmoid.",
        ("network", "multi-layer perceptron", "MLP"),
    ),
    Term(
        "Hidden layer",
        "A layer of units between the inputs and the output. “8” means one hidden layer of 8 units; "
        "“16, 8” two layers. More units can learn more complicated patterns, and overfit more easily.",
        ("hidden layers", "unit", "units", "neuron", "neurons"),
    ),
    Term(
        "Weight",
        "A number on one connection: how strongly one unit's value counts in the next unit's sum "
        "(positive: pushes it up, negative: down). Training changes the weights; each unit also has a "
        "bias, a number added to its sum.",
        ("weights", "bias", "biases"),
    ),
    Term(
        "ReLU",
        "The hidden units' rule: ReLU(z) = max(0, z). A unit whose sum is negative gives 0 (it is "
        "switched off for that patient); otherwise it passes its sum on.",
    ),
    Term(
        "Sigmoid",
        "The output's rule, sigmoid(z) = 1 ÷ (1 + e^(−z)): it turns the output unit's sum, a log-odds, "
        "into a risk between 0 and 100 %.",
    ),
    Term(
        "Log-odds",
        "Another scale for a risk p: log(p ÷ (1 − p)). A risk of 50 % is log-odds 0; +1 multiplies the "
        "odds by about 2.7. The network's output before the sigmoid is a log-odds; the Inside page "
        "shows each finding's contribution as a change in log-odds (the Predict page converts them to "
        "percentage points of risk).",
        ("logit", "odds"),
    ),
    Term(
        "Loss",
        "The number training tries to make small. Here binary cross-entropy: the average over patients "
        "of −log(the risk the model gave to what really happened). A patient with disease given a risk "
        "of 90 % adds 0.11; given 10 %, 2.3. It punishes confident mistakes most. It is not an accuracy.",
        ("training loss", "cross-entropy", "binary cross-entropy"),
    ),
    Term(
        "Epoch",
        "One pass over all training patients. In this app the network looks at every training patient, "
        "then corrects its weights once: one correction per epoch.",
        ("epochs",),
    ),
    Term(
        "Gradient",
        "For each weight, how much the loss would change if that weight were nudged up a little. "
        "Training moves every weight a small step against its gradient, downhill on the loss (gradient "
        "descent). The gradient can be summed over the patients (the tutorial) or averaged (then the "
        "right learning rate does not depend on how many patients there are).",
        ("gradient descent", "gradients"),
    ),
    Term(
        "Backpropagation",
        "How the gradient is computed: the error at the output is passed backwards through the layers "
        "with the chain rule of calculus, so every weight gets its share of the blame in one sweep.",
        ("backprop",),
    ),
    Term(
        "Learning rate",
        "How big a step each correction takes along the gradient. Too small and the loss falls very "
        "slowly; too large and it jumps about or grows (a run whose loss blows up is stopped with “the "
        "learning rate is too high”).",
    ),
    Term(
        "Initialisation",
        "How the weights are chosen before training starts: at random, so that the units learn "
        "different things. <i>Normal</i> draws them from a normal distribution with sd 1 (the tutorial); "
        "<i>scaled to the layer</i> (He initialisation) multiplies them by √(2 ÷ the layer's number of "
        "inputs), which keeps the sums of a ReLU layer in a sensible range and trains more reliably.",
        ("initial weights", "He initialisation", "He", "starting weights"),
    ),
    Term(
        "Overfitting",
        "When a model fits its training patients better than it will fit new ones: it has learnt their "
        "chance features as well as the real pattern. The sign is a training accuracy clearly above the "
        "test accuracy, or a validation loss that rises while the training loss still falls.",
        ("overfit", "overfits", "memorised"),
    ),
    Term(
        "Weight decay (L2)",
        "A penalty added to the loss for large weights (the sum of their squares, hence “L2”). It keeps "
        "the network simpler and so makes overfitting less likely. 0 means no penalty.",
        ("weight decay", "L2", "L2 penalty", "regularisation"),
    ),
    Term(
        "Early stopping",
        "Stopping training when the validation loss has not improved for a number of epochs (the "
        "<i>patience</i>) and keeping the weights of the best epoch, before the network overfits. A "
        "short, fixed number of epochs works in a similar way.",
        ("patience", "stop early", "stopped early"),
    ),
    # --- explaining one prediction ----------------------------------------------------------------
    Term(
        "Integrated gradients",
        "The method behind <i>Why this risk</i>: it follows a straight path from a typical patient "
        "(the training patients' median or most common value of each finding) to this patient and "
        "credits each finding with the change in log-odds it caused along the way. The credits add up "
        "to the difference between this patient's log-odds and the typical patient's (as the Inside "
        "page shows them); <i>Why this risk</i> scales them by one common factor into percentage points "
        "of risk, so they add up to the change in risk. They explain the model, not the disease: they "
        "are associations it learnt, not causes.",
        ("typical patient",),
    ),
    Term(
        "Mahalanobis distance",
        "How far a patient is from the average training patient, counted in standard deviations and "
        "allowing for findings that go together (such as age and maximum heart rate). A large distance "
        "means the patient is unlike those the model learnt from, so its risk is less trustworthy.",
        ("distance from the training patients", "Mahalanobis"),
    ),
    Term(
        "Ensemble spread",
        "<i>How sure</i> trains more networks on the same patients, changing only the seed of the "
        "starting weights, and shows the range of their risks for this patient. A wide spread means the "
        "risk depends on chance details of training. It does not include the uncertainty from having "
        "learning from only a few hundred training patients, which is much larger.",
        ("spread", "ensemble"),
    ),
    # --- the clinical tests in the data -----------------------------------------------------------
    Term(
        "Thallium scan",
        "Myocardial perfusion imaging with thallium-201 at stress and at rest: <i>normal</i>, a "
        "<i>fixed defect</i> (poor uptake at rest and under stress, usually scar) or a "
        "<i>reversible defect</i> (poor uptake only under stress: ischaemia). A diagnostic test done "
        "after referral, not a screening test.",
        ("thallium", "thallium stress test", "thal"),
    ),
    Term(
        "Fluoroscopy (major vessels)",
        "heart.doc's “number of major vessels (0–3) coloured by fluoroscopy”, usually read as the "
        "number of major coronary arteries with calcium seen on X-ray fluoroscopy of the heart: a "
        "diagnostic test done after referral, not a screening test. In these data more vessels go "
        "with heart disease more often.",
        ("fluoroscopy", "major vessels"),
    ),
    Term(
        "ST depression",
        "How far the ST segment of the ECG falls during exercise compared with rest, in mm. A larger "
        "depression, and a flat or downsloping ST segment at peak exercise, suggest ischaemia.",
        ("ST segment", "oldpeak", "slope"),
    ),
)


def anchor(term: Term) -> str:
    """The term's anchor in the glossary's HTML: ``"PPV (positive predictive value)"`` → ``"term-ppv"``."""
    return "term-" + re.sub(r"[^0-9a-z]+", "-", term.term.lower().split(" (")[0]).strip("-")


def lookup(word: str) -> Term | None:
    """The glossary entry for ``word`` (a term or one of its aliases, any case), or ``None``."""
    key = word.strip().lower()
    for term in GLOSSARY:
        if any(key == name.lower() for name in term.names):
            return term
    return None
