global using Simian.Testing;
