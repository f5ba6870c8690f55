"""dkimpy's DNS lookup answered by one DNS server (the test's PowerDNS), not the system resolver."""
import dns.resolver


def dnsfunc_for(server, port):
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [server]
    resolver.port = port

    def dnsfunc(name, timeout=5):
        answer = resolver.resolve(name.decode().rstrip(".") + ".", "TXT", lifetime=timeout)
        return b"".join(b"".join(rr.strings) for rr in answer)

    return dnsfunc
