"""The shipped AI/ML deck: its shape, its links, and every term its source document names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from exporter.backends.anki.fields import block_html
from exporter.markup.tree import parse
from exporter.model import Deck
from exporter.validate import MAX_ANSWER_CHARS, load_deck

DECK_PATH = Path(__file__).resolve().parents[1] / "content" / "questions.yaml"
SOURCE_PAIRS = 30

# Every technique, algorithm, metric, tool, model and example the source page names,
# grouped by the source pair that names it. Rewording the deck must not lose one.
REQUIRED_TERMS = (
    # 1 AI, ML and DL
    "AI ⊃ ML ⊃ DL", "Siri", "spam filter", "image recognition", "hierarchical representations",
    "reinforcement",
    # 2 supervised vs unsupervised
    "classification", "regression", "linear regression", "decision trees", "SVM",
    "neural networks", "clustering", "customer segments", "dimensionality reduction", "PCA",
    "association rules", "K-Means", "DBSCAN", "hierarchical clustering", "t-SNE",
    "semi-supervised", "self-supervised", "BERT", "GPT",
    # 3 overfitting
    "overfitting", "underfitting", "L1", "L2", "regularization", "cross-validation", "dropout",
    "early stopping", "data augmentation", "ensemble methods", "feature selection",
    "bias-variance tradeoff",
    # 4 metrics
    "accuracy", "precision", "recall", "F1-score", "AUC-ROC", "MSE", "RMSE", "MAE", "R²",
    "harmonic mean", "medical diagnosis",
    # 5 neural networks
    "input layer", "hidden layers", "output layer", "weighted sum", "activation function",
    "forward pass", "backward pass", "backpropagation", "SGD", "Adam", "ReLU", "sigmoid",
    "softmax",
    # 6 bias and variance
    "bias²", "irreducible error", "bagging", "boosting",
    # 7 CNN vs RNN
    "convolutional", "pooling", "image classification", "object detection", "segmentation",
    "hidden state", "LSTM", "GRU", "speech", "time series", "Vision Transformers", "ViT",
    # 8 transfer learning
    "ImageNet", "Wikipedia", "freeze", "ResNet", "medical imaging", "foundation models",
    "GPT-4", "DALL-E",
    # 9 gradient descent
    "batch GD", "mini-batch GD", "32–256", "momentum", "RMSprop", "warmup",
    "cosine annealing", "step decay", "gradient clipping", "exploding gradients",
    # 10 Transformers
    "multi-head self-attention", "feed-forward", "positional encoding", "encoder-only",
    "decoder-only", "encoder-decoder", "T5", "trillion", "O(n²)", "Flash Attention",
    "sparse attention", "long-range dependencies",
    # 11 RAG
    "chunk", "embedding", "vector database", "Pinecone", "Weaviate", "FAISS", "top-k",
    "similarity search", "hallucination", "context window", "LangChain", "LlamaIndex",
    # 12 GANs
    "generator", "discriminator", "noise", "minimax", "DCGAN", "StyleGAN", "CycleGAN",
    "Pix2Pix", "mode collapse", "image synthesis", "super-resolution", "diffusion models",
    # 13 degrading in production
    "data drift", "training-serving skew", "data leakage", "concept drift", "scale issues",
    "A/B testing", "shadow deployment", "canary deployment", "feature store", "retrain",
    # 14 recommendations
    "collaborative filtering", "content-based filtering", "hybrid", "matrix factorization",
    "SVD", "ALS", "TF-IDF", "neural collaborative filtering", "two-tower models",
    "cold start", "precision@k", "recall@k", "NDCG", "MAP", "candidate generation",
    "re-ranking",
    # 15 Google Search
    "MUM", "RankBrain", "multimodal", "multilingual", "neural matching", "passage indexing",
    "spam detection", "featured snippets", "Knowledge Graph", "8.5 billion",
    "semantic search",
    # 16 LLMs
    "next token", "trillions of tokens", "pre-training", "instruction tuning", "RLHF",
    "billions of parameters", "autoregressive", "reasoning", "coding", "translation",
    "safety alignment",
    # 17 diagnosing bias and variance
    "learning curves", "more features", "less regularization", "training error",
    # 18 learning paradigms
    "logistic regression", "random forest", "anomaly detection", "agent", "environment",
    "rewards", "Q-learning", "policy gradient", "PPO", "AlphaGo", "robotics",
    "recommendation systems",
    # 19 self-attention
    "queries", "keys", "values", "softmax(QKᵀ / √dₖ) · V", "audio", "CLIP",
    # 20 fine-tuning
    "full fine-tuning", "PEFT", "LoRA", "Low-Rank Adaptation", "QLoRA", "quantized",
    "Adapters", "Hugging Face Transformers", "Axolotl", "LitGPT", "catastrophic forgetting",
    "replay", "elastic weight consolidation", "low learning rate",
    # 21 RAG pipeline
    "cosine similarity", "augment", "ChromaDB", "Qdrant", "ada-002", "BGE", "Cohere",
    "fixed size", "recursive", "hybrid search", "query expansion", "multi-step retrieval",
    # 22 debugging production
    "missing values", "categorical encoding", "prediction confidence",
    # 23 imbalanced data
    "SMOTE", "ADASYN", "oversample", "undersample", "Tomek links", "NearMiss",
    "SMOTE + Tomek links", "class_weight='balanced'", "cost-sensitive learning",
    "BalancedRandomForest", "EasyEnsemble", "AUROC", "AUPRC", "threshold tuning",
    # 24 attention
    "fixed-size context vector", "Bahdanau", "additive", "Luong", "multiplicative",
    "dot product", "cross-attention", "interpretability",
    # 25 embeddings
    "Word2Vec", "GloVe", "Sentence-BERT", "OpenAI embeddings", "queen", "384", "3072",
    "vector databases",
    # 26 transfer-learning strategies
    "feature extraction", "domain adaptation", "customer service", "downstream tasks",
    # 27 classification metrics
    "confusion matrix", "TP / (TP + FP)", "TP / (TP + FN)", "TN", "99:1", "cancer",
    "macro", "micro", "weighted", "business-specific",
    # 28 deployment
    "Docker", "REST", "gRPC", "Flask", "FastAPI", "TensorFlow Serving", "edge",
    "ONNX Runtime", "TensorRT", "IoT", "Kubernetes", "serverless", "AWS Lambda", "SageMaker",
    "model registry", "MLflow", "CI/CD", "data validation", "latency", "Kubeflow",
    "Vertex AI", "Feast", "ONNX",
    # 29 project lifecycle
    "CRISP-DM", "business understanding", "data understanding", "EDA", "correlations",
    "outliers", "data preparation", "feature engineering", "encoding", "normalization",
    "baseline", "hyperparameter tuning", "grid search", "Bayesian optimization", "fairness",
    "80%",
    # 30 batch vs real-time
    "batch inference", "real-time inference", "Spark", "Airflow", "TorchServe", "Triton",
    "Kafka", "Flink", "near-real-time", "fraud detection", "cache",
)

# The subjects the source covers twice: each pair must ask different things and link up.
TWIN_QUESTIONS = (
    ("supervised-vs-unsupervised", "learning-paradigms"),
    ("bias-variance-tradeoff", "diagnosing-bias-variance"),
    ("transformer-architecture", "self-attention"),
    ("rag", "rag-pipeline-design"),
    ("transfer-learning", "transfer-learning-strategies"),
    ("production-degradation", "production-debugging"),
    ("evaluation-metrics", "classification-metrics"),
)


@pytest.fixture(scope="module")
def deck() -> Deck:
    loaded, diagnostics = load_deck(DECK_PATH)
    assert [d.message for d in diagnostics] == []
    assert loaded is not None
    return loaded


def deck_text(deck: Deck) -> str:
    """Everything a reader sees, emphasis and code markers removed, line breaks unwrapped."""
    parts = [deck.title, deck.description, *(t.title for t in deck.topics)]
    for q in deck.questions:
        parts += [q.question, q.answer, q.details]
    return re.sub(r"\s+", " ", re.sub(r"\*\*|`", "", "\n".join(parts)))


def mentions(text: str, term: str) -> bool:
    """A whole-word match; acronyms (no lower-case letter) must match their case too."""
    flags = re.IGNORECASE if any(ch.islower() for ch in term) else 0
    return re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text, flags) is not None


def test_deck_has_one_question_per_source_pair(deck: Deck) -> None:
    text = DECK_PATH.read_text("utf-8")
    comments = re.findall(r"^ *# source pair (\d+)$", text, re.MULTILINE)
    assert [int(n) for n in comments] == list(range(1, SOURCE_PAIRS + 1))
    # Drills (a reversed term, a cloze of a formula) each follow the pair they practise.
    drills = re.findall(r"^ *# drill of source pair (\d+)", text, re.MULTILINE)
    assert len(deck.questions) == SOURCE_PAIRS + len(drills)
    assert all(1 <= int(n) <= SOURCE_PAIRS for n in drills)


def test_the_deck_uses_every_card_shape(deck: Deck) -> None:
    assert any(q.reverse for q in deck.questions)
    assert len([q for q in deck.questions if q.cloze]) >= 2


def test_topics_are_few_and_all_used(deck: Deck) -> None:
    topic_ids = [t.id for t in deck.topics]
    assert 6 <= len(topic_ids) <= 8
    assert {q.topic for q in deck.questions} == set(topic_ids)
    assert topic_ids[0] == "fundamentals" and topic_ids[-1] == "mlops"


def test_every_question_is_tagged_and_graded(deck: Deck) -> None:
    untagged = [q.id for q in deck.questions if not q.tags or q.difficulty is None]
    assert untagged == []
    assert {q.difficulty for q in deck.questions} == {"easy", "medium", "hard"}


def test_questions_and_answers_are_distinct(deck: Deck) -> None:
    questions = [q.question.casefold() for q in deck.questions]
    answers = [q.answer.casefold() for q in deck.questions]
    assert len(set(questions)) == len(questions)
    assert len(set(answers)) == len(answers)


def test_answers_fit_the_short_answer_limit(deck: Deck) -> None:
    too_long = {q.id: len(q.answer) for q in deck.questions if len(q.answer) > MAX_ANSWER_CHARS}
    assert too_long == {}


def test_related_links_go_both_ways(deck: Deck) -> None:
    links = {(q.id, r) for q in deck.questions for r in q.related}
    assert {(b, a) for a, b in links} - links == set()


@pytest.mark.parametrize(("first", "second"), TWIN_QUESTIONS)
def test_twin_subjects_ask_different_things_and_link(deck: Deck, first: str, second: str) -> None:
    one, two = deck.question(first), deck.question(second)
    assert second in one.related and first in two.related
    assert one.question != two.question and one.answer != two.answer


def test_every_source_term_appears(deck: Deck) -> None:
    text = deck_text(deck)
    missing = [term for term in REQUIRED_TERMS if not mentions(text, term)]
    assert missing == []


def test_details_lists_and_tables_render_as_such(deck: Deck) -> None:
    """A list or table the parser misread (an indent too deep, a stray character) would leave
    "- item" or "| a | b |" as literal text in a paragraph of the card."""
    literal = re.compile(r"^\s*(?:- |\d+\. |\|)", re.MULTILINE)
    offenders = []
    for q in deck.questions:
        html = block_html(parse(q.details), {})
        paragraphs = re.findall(r"<p>(.*?)</p>", html, re.DOTALL)
        offenders += [q.id for p in paragraphs if literal.search(p)]
        if "|---" in q.details and "<table>" not in html:
            offenders.append(q.id)
    assert offenders == []


# The page the deck's facts come from sits beside the project only on the authors'
# machines; a user's clone lacks it, and then there is nothing to compare against.
SEED_PAGE = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_80396a71fb3188be.txt"
OWN_WORDS_RUN = 8


def words(text: str) -> list[str]:
    """Lower-case words with punctuation dropped: "CI/CD for ML:" -> ci, cd, for, ml."""
    return re.findall(r"[^\W_]+", text.lower())


def shared_runs(text: str, page_grams: set[tuple[str, ...]], n: int) -> list[str]:
    found = []
    tokens = words(text)
    for i in range(len(tokens) - n + 1):
        if tuple(tokens[i:i + n]) in page_grams:
            found.append(" ".join(tokens[i:i + n]))
    return found


@pytest.mark.skipif(not SEED_PAGE.is_file(), reason="the source page is not beside this clone")
def test_no_eight_word_run_is_copied_from_the_source_page(deck: Deck) -> None:
    page = words(SEED_PAGE.read_text(encoding="utf-8"))
    grams = {tuple(page[i:i + OWN_WORDS_RUN]) for i in range(len(page) - OWN_WORDS_RUN + 1)}
    copied = [(q.id, run) for q in deck.questions
              for text in (q.question, q.answer, q.details)
              for run in shared_runs(text, grams, OWN_WORDS_RUN)]
    copied += [("deck", run) for run in shared_runs(deck.description, grams, OWN_WORDS_RUN)]
    assert copied == []


def test_the_run_finder_finds_a_copied_run_whatever_the_case_and_punctuation() -> None:
    page = words("Step two: CI/CD for ML -- data validation, training and evaluation.")
    grams = {tuple(page[i:i + OWN_WORDS_RUN]) for i in range(len(page) - OWN_WORDS_RUN + 1)}
    assert shared_runs("ci cd FOR ml: Data-Validation; training and", grams, OWN_WORDS_RUN)
    assert not shared_runs("ci cd for ml: data validation; training or", grams, OWN_WORDS_RUN)
