namespace Simian.Proxy;

/// <summary>Optional ability: while a toxic with it is present, open and newly accepted connections are reset.</summary>
internal interface IResetsConnections
{
}
