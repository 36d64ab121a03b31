"""Real database servers that TorchQuiz's test suite starts for itself, on ports of their own, and throws away.

The storage layer speaks to PostgreSQL as well as SQLite, and a fake of PostgreSQL would only test our idea of it;
so the suite runs the real server from the machine's packages (`scripts/install-test-servers` installs them).
"""
